// The scene plan: what the planner proposes and a person may edit before it runs. Plain data and pure checks, read
// by the workflow (an edited plan is checked in the review update's validator), the activities, the API and the UI.
export const STEP_TYPES = ['EXTRACT', 'REMOVE', 'BG_REMOVE', 'REFRAME', 'ANALYZE'] as const;
export type StepType = (typeof STEP_TYPES)[number];
export const MASK_MODES = ['NONE', 'AUTO', 'MANUAL'] as const;
export type MaskMode = (typeof MASK_MODES)[number];

export const STEP_TYPE_HELP: Record<StepType, string> = {
  EXTRACT: 'the target alone on solid white, at the input\'s size',
  REMOVE: 'the target removed (a clean plate); later steps work on this plate',
  BG_REMOVE: 'the background made transparent',
  REFRAME: 'the canvas extended to an aspect ratio, the original pixels kept where they were',
  ANALYZE: 'the LLM describes and locates objects; no image; its notes feed later prompts',
};

/** Limits a step's output must meet; unset ones take the step type's defaults. */
export interface StepThresholds {
  /** EXTRACT: share of non-white pixels; BG_REMOVE: share of opaque pixels */
  minCoverage?: number;
  maxCoverage?: number;
  /** EXTRACT: share of the border that must be white */
  borderWhite?: number;
  /** EXTRACT: how far from 255 (per channel) still counts as white */
  whiteTolerance?: number;
  /** REMOVE: mean difference outside the mask (0–255); REFRAME: on the original pixels */
  plateTolerance?: number;
  /** REMOVE: share of the masked pixels that must have changed */
  minChange?: number;
}

export interface PlanStep {
  id: string;
  type: StepType;
  /** what the step is about: "the red lamp" */
  target: string;
  prompt: string;
  /** 3–5 other wordings, tried in order on a retry */
  variations: string[];
  mask: MaskMode;
  /** AUTO: pixels the previous layer's mask grows by */
  maskDilate?: number;
  /** REFRAME: the target aspect ratio, "16:9" */
  aspect?: string;
  thresholds: StepThresholds;
}

export interface ScenePlan {
  summary: string;
  globalRules: string[];
  steps: PlanStep[];
}

export const DEFAULT_THRESHOLDS: Record<StepType, StepThresholds> = {
  EXTRACT: { minCoverage: 0.005, maxCoverage: 0.7, borderWhite: 0.97, whiteTolerance: 12 },
  REMOVE: { plateTolerance: 6, minChange: 0.1, maxCoverage: 0.6 },
  BG_REMOVE: { minCoverage: 0.01, maxCoverage: 0.95 },
  REFRAME: { plateTolerance: 2 },
  ANALYZE: {},
};

export const thresholdsFor = (step: Pick<PlanStep, 'type' | 'thresholds'>): StepThresholds => ({ ...DEFAULT_THRESHOLDS[step.type], ...step.thresholds });

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ASPECT = /^([1-9]\d?):([1-9]\d?)$/;
const isText = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

export function parseAspect(aspect: string): number | undefined {
  const match = ASPECT.exec(aspect);
  return match ? Number(match[1]) / Number(match[2]) : undefined;
}

/** Everything wrong with a plan (from the planner or a person's edit), in words; empty when it can run. */
export function planProblems(plan: unknown): string[] {
  const problems: string[] = [];
  if (!plan || typeof plan !== 'object' || Array.isArray(plan)) return ['the plan must be an object with summary, globalRules and steps'];
  const p = plan as Partial<ScenePlan>;
  if (typeof p.summary !== 'string') problems.push('summary must be text');
  if (!Array.isArray(p.globalRules) || p.globalRules.some((r) => typeof r !== 'string')) problems.push('globalRules must be a list of texts');
  if (!Array.isArray(p.steps) || p.steps.length === 0) return [...problems, 'the plan needs at least one step'];
  if (p.steps.length > 12) problems.push('a plan has at most 12 steps');
  const seen = new Set<string>();
  let layerBefore = false;
  p.steps.forEach((raw, index) => {
    const step = (raw ?? {}) as Partial<PlanStep>;
    const where = `step ${index + 1}${typeof step.id === 'string' ? ` (${step.id})` : ''}`;
    if (typeof step.id !== 'string' || !STEP_ID.test(step.id)) problems.push(`${where}: id must be lowercase letters, digits and dashes`);
    else if (seen.has(step.id)) problems.push(`${where}: the id is used twice`);
    else seen.add(step.id);
    if (!STEP_TYPES.includes(step.type as StepType)) problems.push(`${where}: type must be one of ${STEP_TYPES.join(', ')}`);
    if (!isText(step.target, 200)) problems.push(`${where}: target must be a short text`);
    if (!isText(step.prompt, 2000)) problems.push(`${where}: prompt must be a text of at most 2000 characters`);
    if (!Array.isArray(step.variations) || step.variations.length < 3 || step.variations.length > 5 || step.variations.some((v) => !isText(v, 2000))) {
      problems.push(`${where}: variations must be 3 to 5 prompt texts`);
    }
    if (!MASK_MODES.includes(step.mask as MaskMode)) problems.push(`${where}: mask must be one of ${MASK_MODES.join(', ')}`);
    if (step.mask === 'AUTO' && !layerBefore) problems.push(`${where}: an AUTO mask comes from an earlier EXTRACT or BG_REMOVE layer, and there is none before it`);
    if (step.mask && step.mask !== 'NONE' && (step.type === 'REFRAME' || step.type === 'ANALYZE' || step.type === 'BG_REMOVE')) problems.push(`${where}: a ${step.type} step takes no mask (use NONE)`);
    if (step.maskDilate !== undefined && (!Number.isInteger(step.maskDilate) || step.maskDilate < 0 || step.maskDilate > 64)) problems.push(`${where}: maskDilate must be 0 to 64 pixels`);
    if (step.type === 'REFRAME' && (typeof step.aspect !== 'string' || !parseAspect(step.aspect))) problems.push(`${where}: a REFRAME step needs aspect, such as "16:9"`);
    const t = step.thresholds;
    if (!t || typeof t !== 'object' || Array.isArray(t)) problems.push(`${where}: thresholds must be an object (it may be empty)`);
    else {
      for (const [name, value] of Object.entries(t)) {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) problems.push(`${where}: thresholds.${name} must be a number of 0 or more`);
        else if (['minCoverage', 'maxCoverage', 'borderWhite', 'minChange'].includes(name) && value > 1) problems.push(`${where}: thresholds.${name} is a share from 0 to 1`);
      }
      if (typeof t.minCoverage === 'number' && typeof t.maxCoverage === 'number' && t.minCoverage > t.maxCoverage) problems.push(`${where}: thresholds.minCoverage is above maxCoverage`);
    }
    if (step.type === 'EXTRACT' || step.type === 'BG_REMOVE') layerBefore = true;
  });
  return problems;
}

/** The next variation no attempt has used yet (the retry prompt a person sees pre-filled). */
export function nextVariation(step: Pick<PlanStep, 'prompt' | 'variations'>, used: string[]): string | undefined {
  const tried = new Set(used.map((u) => u.trim()));
  return [step.prompt, ...step.variations].find((v) => !tried.has(v.trim()));
}

/** Canvas geometry of a REFRAME: the new size and where the original sits. `snap` makes each added border a multiple of
 *  it (ComfyUI pads in steps of 8, and its VAE works on 8-pixel blocks). */
export function reframeGeometry(width: number, height: number, aspect: number, snap = 1): { width: number; height: number; left: number; top: number } {
  const down = (v: number) => Math.floor(v / snap) * snap;
  const up = (v: number) => Math.ceil(v / snap) * snap;
  if (width / height < aspect) {
    const pad = Math.round(height * aspect) - width;
    const left = down(Math.floor(pad / 2));
    return { width: width + left + up(pad - left), height, left, top: 0 };
  }
  const pad = Math.round(width / aspect) - height;
  const top = down(Math.floor(pad / 2));
  return { width, height: height + top + up(pad - top), left: 0, top };
}

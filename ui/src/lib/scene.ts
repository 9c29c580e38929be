// The scene pages' logic, apart from the components: plan edits, what the preview shows, the new-scene request.
import { STEP_TYPES, type PlanStep, type ScenePlan, type StepType } from '../../../workflows/scene-plan.ts';
import type { SceneAttempt, SceneState, SceneStep } from '../../../workflows/scene-state.ts';
import type { AssetRef } from '../../../workflows/messages.ts';

export { STEP_TYPES, planProblems, STEP_TYPE_HELP, MASK_MODES } from '../../../workflows/scene-plan.ts';
export type { PlanStep, ScenePlan, StepType, SceneAttempt, SceneState, SceneStep };

export function moveStep(plan: ScenePlan, index: number, by: -1 | 1): ScenePlan {
  const to = index + by;
  if (to < 0 || to >= plan.steps.length) return plan;
  const steps = [...plan.steps];
  [steps[index], steps[to]] = [steps[to]!, steps[index]!];
  return { ...plan, steps };
}

export function deleteStep(plan: ScenePlan, index: number): ScenePlan {
  return { ...plan, steps: plan.steps.filter((_, i) => i !== index) };
}

/** a new step of a type, with an id no other step has and prompts to edit */
export function addStep(plan: ScenePlan, type: StepType): ScenePlan {
  const base = type.toLowerCase().replace('_', '-');
  let n = 1;
  while (plan.steps.some((s) => s.id === `${base}-${n}`)) n++;
  const target = type === 'REFRAME' ? 'the canvas' : type === 'ANALYZE' ? 'the whole picture' : 'the object';
  const prompt = type === 'REFRAME' ? 'Extend the background to 16:9, keeping the picture as it is' : type === 'ANALYZE' ? 'Describe the picture and locate its objects' : type === 'EXTRACT' ? `${target} alone on a plain white background` : type === 'REMOVE' ? `Remove ${target} and fill in the background (clean plate)` : 'The foreground on a transparent background';
  const step: PlanStep = {
    id: `${base}-${n}`, type, target, prompt,
    variations: [prompt, `${prompt}, carefully`, `${prompt}, nothing else changed`],
    mask: 'NONE', thresholds: {}, ...(type === 'REFRAME' ? { aspect: '16:9' } : {}),
  };
  return { ...plan, steps: [...plan.steps, step] };
}

export function variationsText(step: PlanStep): string {
  return step.variations.join('\n');
}

export function withVariations(step: PlanStep, text: string): PlanStep {
  return { ...step, variations: text.split('\n').map((v) => v.trim()).filter(Boolean) };
}

export const PREVIEW_MODES = [
  { id: 'side', label: 'Side by side' },
  { id: 'overlay', label: 'Overlay' },
  { id: 'difference', label: 'Difference' },
  { id: 'mask', label: 'Mask overlay' },
] as const;
export type PreviewMode = (typeof PREVIEW_MODES)[number]['id'];

/** what the preview shows for a step: the chosen attempt (default the kept one, else the latest) */
export function attemptShown(step: SceneStep | undefined, n?: number): SceneAttempt | undefined {
  if (!step?.history.length) return undefined;
  return step.history.find((a) => a.n === (n ?? step.kept)) ?? step.history.at(-1);
}

export const assetUrl = (asset: AssetRef | undefined) => (asset ? `/api/assets/${asset.id}` : '');
export const exportUrl = (id: string, format: 'zip' | 'ora') => `/api/scenes/${encodeURIComponent(id)}/export?format=${format}`;

export const STEP_STATUS_TEXT: Record<string, string> = {
  pending: 'Waiting', running: 'Running', done: 'Done', failed: 'Failed', cancelled: 'Cancelled', 'awaiting-review': 'Needs review', skipped: 'Skipped',
};

export interface NewSceneForm { image: { id: string; name: string; width: number; height: number } | null; instructions: string; backend: 'openai' | 'comfyui'; review: 'all' | 'failed'; reviewPlan: boolean; title: string; autoRetries: number }

export const defaultSceneForm = (): NewSceneForm => ({ image: null, instructions: '', backend: 'openai', review: 'failed', reviewPlan: true, title: '', autoRetries: 1 });

export function sceneRequest(form: NewSceneForm): Record<string, unknown> {
  if (!form.image) throw new Error('Choose a picture first.');
  return {
    image: form.image.id, backend: form.backend, review: form.review, reviewPlan: form.reviewPlan, autoRetries: form.autoRetries,
    ...(form.instructions.trim() ? { instructions: form.instructions.trim() } : {}),
    ...(form.title.trim() ? { title: form.title.trim() } : {}),
  };
}

// The generate form's state, its checks before sending, and the POST /api/generate body it becomes.
import { aspectPreset, DEFAULT_ASPECT } from './aspect.ts';
import { samplingFor, DEFAULT_QUALITY, type SamplingSettings } from './quality.ts';
import { MAX_SEED } from './sampling.ts';
import { ownParameters, paramsRequest, togglesOf, type ParamValues } from './template-form.ts';
import type { Template } from './types.ts';

export const BATCH_SIZES = [1, 2, 4, 8, 32, 100] as const;
export const MAX_PROMPT_CHARS = 4000;
export const DEFAULT_TEMPLATE = 'txt2img';
/** the built-in template that redraws a source image */
export const SOURCE_TEMPLATE = 'img2img';
export const DEFAULT_DENOISE = 0.6;
export const DEFAULT_CFG = 6;

export interface GenerateForm extends SamplingSettings {
  prompt: string;
  negativePrompt: string;
  aspect: string;
  cfg: number;
  count: (typeof BATCH_SIZES)[number];
  seedMode: 'random' | 'fixed';
  seed: number | null;
  pool: string;
  lora: string;
  loraStrength: number;
  template: string;
  checkpoint: string;
  /** an asset id: redraw that image instead of starting from noise ('' for none) */
  sourceImage: string;
  denoise: number;
  /** the template's own parameters: toggles and their parts, or a user template's fields */
  params: ParamValues;
}

export type FormProblems = Partial<Record<keyof GenerateForm, string>>;

export function defaultForm(): GenerateForm {
  return {
    prompt: '', negativePrompt: '', aspect: DEFAULT_ASPECT, ...samplingFor(DEFAULT_QUALITY), cfg: DEFAULT_CFG,
    count: 1, seedMode: 'random', seed: null, pool: '', lora: '', loraStrength: 1, template: DEFAULT_TEMPLATE, checkpoint: '',
    sourceImage: '', denoise: DEFAULT_DENOISE, params: {},
  };
}

const wholeIn = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const numberIn = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;

export function formProblems(form: GenerateForm): FormProblems {
  const problems: FormProblems = {};
  if (!form.prompt.trim()) problems.prompt = 'Describe the image you want.';
  else if (form.prompt.length > MAX_PROMPT_CHARS) problems.prompt = `The prompt is ${form.prompt.length} characters; shorten it to ${MAX_PROMPT_CHARS}.`;
  if (form.negativePrompt.length > MAX_PROMPT_CHARS) problems.negativePrompt = `Shorten the negative prompt to ${MAX_PROMPT_CHARS} characters.`;
  if (!wholeIn(form.steps, 1, 150)) problems.steps = 'Steps must be a whole number from 1 to 150.';
  if (!numberIn(form.cfg, 0, 30)) problems.cfg = 'CFG must be a number from 0 to 30.';
  if (form.seedMode === 'fixed' && !wholeIn(form.seed, 0, MAX_SEED)) problems.seed = `The seed must be a whole number from 0 to ${MAX_SEED}.`;
  if (form.lora && !numberIn(form.loraStrength, -4, 4)) problems.loraStrength = 'LoRA strength must be between −4 and 4.';
  if (form.sourceImage && !numberIn(form.denoise, 0, 1)) problems.denoise = 'Denoise must be between 0 and 1.';
  return problems;
}

/** A user's template is driven by its own parameters; the built-in fields (size, sampling, LoRA) are the built-in templates'. */
export const isUserTemplate = (template: Template | undefined) => template?.source === 'user';

/** The generated fields of a template: a user template's parameters, or a built-in template's toggles. */
export const templateFields = (template: Template | undefined) => (isUserTemplate(template) ? ownParameters(template) : togglesOf(template));

export function generateRequest(form: GenerateForm, template?: Template): Record<string, unknown> {
  const params = paramsRequest(template, form.params, templateFields(template));
  if (template && isUserTemplate(template)) {
    const body: Record<string, unknown> = { prompt: form.prompt.trim(), count: form.count, template: template.id };
    if (form.seedMode === 'fixed' && form.seed !== null) body.seed = form.seed;
    if (form.pool) body.pool = form.pool;
    if (params) body.params = params;
    return body;
  }
  const body: Record<string, unknown> = {
    prompt: form.prompt.trim(), steps: form.steps, cfg: form.cfg, sampler: form.sampler, scheduler: form.scheduler, count: form.count,
  };
  // a source image sets the size itself
  if (form.sourceImage) Object.assign(body, { image: form.sourceImage, denoise: form.denoise });
  else {
    const { width, height } = aspectPreset(form.aspect);
    Object.assign(body, { width, height });
  }
  if (form.negativePrompt.trim()) body.negativePrompt = form.negativePrompt.trim();
  if (form.seedMode === 'fixed' && form.seed !== null) body.seed = form.seed;
  if (form.pool) body.pool = form.pool;
  const templateId = form.sourceImage && form.template === DEFAULT_TEMPLATE ? SOURCE_TEMPLATE : form.template;
  if (templateId && templateId !== DEFAULT_TEMPLATE) body.template = templateId;
  if (form.checkpoint.trim()) body.checkpoint = form.checkpoint.trim();
  if (form.lora) Object.assign(body, { lora: form.lora, loraStrength: form.loraStrength });
  // a toggle of the built-in template belongs to it alone: a source image switches to img2img, which has none
  if (params && template?.id === templateId) body.params = params;
  return body;
}

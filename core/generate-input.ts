// What a `generate` job accepts, checked at the API and again by the workflow's first activity
// (a job started from the `temporal` CLI never passed through the API): its own fields, and the values it gives
// its template (the built-in fields it declares plus any declared parameter in `params`).
import { z } from 'zod';
import { TemplateError, type ComfyTemplate } from './templates/manifest.ts';
import { checkTemplateValues } from './templates/values.ts';

export const SAMPLERS = ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpmpp_2m', 'dpmpp_sde', 'dpmpp_2m_sde', 'lcm', 'ddim', 'uni_pc'] as const;
export const SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform', 'beta'] as const;
export const MAX_PROMPT_CHARS = 4000;
export const MAX_SIDE = 2048;
export const MAX_SEED = 2 ** 32 - 1;

const side = (name: string) => z.number({ error: `${name} must be a number of pixels` }).int(`${name} must be a whole number of pixels`)
  .min(64, `${name} must be at least 64 pixels`).max(MAX_SIDE, `${name} must be at most ${MAX_SIDE} pixels`)
  .refine((v) => v % 8 === 0, `${name} must be a multiple of 8 (the model works on 8-pixel blocks)`);

export const generateInputSchema = z.object({
  prompt: z.string({ error: 'prompt is required: describe the image' }).trim().min(1, 'prompt is empty: describe the image')
    .max(MAX_PROMPT_CHARS, `prompt is longer than ${MAX_PROMPT_CHARS} characters: shorten it`),
  // the fields below are parameters of the built-in templates; unset, the template's manifest default applies
  negativePrompt: z.string().max(MAX_PROMPT_CHARS, `negativePrompt is longer than ${MAX_PROMPT_CHARS} characters`).optional(),
  width: side('width').optional(),
  height: side('height').optional(),
  steps: z.number().int('steps must be a whole number').min(1, 'steps must be at least 1').max(150, 'steps must be at most 150').optional(),
  cfg: z.number().min(0, 'cfg must be between 0 and 30').max(30, 'cfg must be between 0 and 30').optional(),
  sampler: z.enum(SAMPLERS, { error: `sampler must be one of ${SAMPLERS.join(', ')}` }).optional(),
  scheduler: z.enum(SCHEDULERS, { error: `scheduler must be one of ${SCHEDULERS.join(', ')}` }).optional(),
  seed: z.number().int('seed must be a whole number').min(0, 'seed must be 0 or more').max(MAX_SEED, `seed must be at most ${MAX_SEED}`).optional(),
  batchSize: z.number().int().min(1, 'batchSize must be at least 1').max(8, 'batchSize must be at most 8').optional(),
  image: z.string().regex(/^a_[0-9a-f]{24}$/, "image must be an asset id (a_ and 24 hex digits) from a job's assets").optional(),
  denoise: z.number().min(0, 'denoise must be between 0 and 1').max(1, 'denoise must be between 0 and 1').optional(),
  checkpoint: z.string().max(200).optional(),
  lora: z.string().max(200).optional(),
  loraStrength: z.number().min(-4, 'loraStrength must be between -4 and 4').max(4, 'loraStrength must be between -4 and 4').optional(),
  /** any parameter the template's manifest declares (its toggles too), checked against the manifest and the server */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'each value in params must be text, a number, or true/false' }), { error: 'params must be an object of parameter names to values' })
    .refine((p) => Object.keys(p).length <= 100, 'params may hold at most 100 parameters').optional(),
  // the job's own fields
  count: z.number().int('count must be a whole number').min(1, 'count must be at least 1').max(500, 'count must be at most 500').default(1),
  pool: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'pool must be a GPU pool name (lowercase letters, digits, dashes)').optional(),
  template: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'template must be a template id from GET /api/templates').default('txt2img'),
  title: z.string().trim().max(200, 'title must be at most 200 characters').optional(),
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'project must be a short name (letters, digits, space, _ . -)').optional(),
}).strict();

/** the top-level fields that are template parameters (prompt and seed also serve the job: title, per-image seeds) */
export const TEMPLATE_FIELDS = ['prompt', 'negativePrompt', 'width', 'height', 'steps', 'cfg', 'sampler', 'scheduler', 'seed', 'batchSize', 'image', 'denoise', 'checkpoint', 'lora', 'loraStrength'] as const;
const JOB_USES = new Set(['prompt', 'seed']);

/**
 * The values a generate job hands its template: the top-level fields it declares plus `params`, checked against
 * the manifest. `others` (every template) lets a refusal name the templates that do take a field.
 */
export function generateTemplateValues(input: GenerateRequest, template: ComfyTemplate, others: ComfyTemplate[] = []): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of TEMPLATE_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (template.manifest.parameters[field]) values[field] = value;
    else if (!JOB_USES.has(field)) {
      const takers = others.filter((t) => t.manifest.parameters[field]).map((t) => t.id);
      throw new TemplateError(`template "${template.id}" takes no ${field}: ${takers.length ? `use a template that does (${takers.join(', ')}) or ` : ''}leave ${field} out`);
    }
  }
  for (const [name, value] of Object.entries(input.params ?? {})) {
    if (values[name] !== undefined || (JOB_USES.has(name) && input[name as 'seed'] !== undefined)) throw new TemplateError(`${name} is given twice (as a field and in params): keep one`);
    values[name] = value;
  }
  checkTemplateValues(template, values);
  return values;
}

export type GenerateInput = z.input<typeof generateInputSchema>;
export type GenerateRequest = z.output<typeof generateInputSchema>;

/** zod issues → one sentence a person can act on */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}`;
    const where = issue.path.join('.');
    if (issue.code === 'invalid_type' && !issue.message.includes(where)) return `${where}: expected ${issue.expected}`;
    return issue.message;
  }).join('; ');
}

// What starting a LoRA training (and a synthetic batch for a trained character) accepts; checked at the API and
// again by the workflow's first activity (a job started from the temporal CLI never passed the API).
import { z } from 'zod';
import { advancedSchema, presetSchema } from './lora-settings.ts';
import { promptListSchema } from './character-input.ts';

export const characterIdSchema = z.string({ error: 'characterId is required: the id of a character (GET /api/characters)' }).regex(/^ch_[0-9a-f]{12}$/, 'characterId must be a character id such as ch_0123456789ab (GET /api/characters)');
const poolSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'pool must be a GPU pool name (lowercase letters, digits, dashes)');
const projectSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'project must be a short name (letters, digits, space, _ . -)');

export const trainRequestSchema = z.object({
  characterId: characterIdSchema,
  preset: presetSchema.default('quick'),
  advanced: advancedSchema.default({}),
  samplePrompts: promptListSchema.optional(),
  pool: poolSchema.optional(),
  title: z.string().trim().max(200, 'title must be at most 200 characters').optional(),
  project: projectSchema.optional(),
}).strict();
export type TrainRequest = z.input<typeof trainRequestSchema>;
export type TrainParams = z.output<typeof trainRequestSchema>;

export const SYNTHESIS_BATCHES = [1, 2, 4, 8] as const;
export const synthesisRequestSchema = z.object({
  characterId: characterIdSchema,
  count: z.union(SYNTHESIS_BATCHES.map((n) => z.literal(n)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<4>, z.ZodLiteral<8>], { error: `count must be one of ${SYNTHESIS_BATCHES.join(', ')}` }).default(4),
  prompt: z.string().trim().min(1, 'prompt is empty').max(500, 'prompt must be at most 500 characters').optional(),
  lora: z.string().regex(/^[a-z0-9][a-z0-9-]{0,80}$/, 'lora must be the name of a trained LoRA (GET /api/loras)').optional(),
  pool: poolSchema.optional(),
  project: projectSchema.optional(),
}).strict();
export type SynthesisRequest = z.input<typeof synthesisRequestSchema>;

/** The sampling template for a trained LoRA's base model. */
export function samplingTemplate(arch: string): string {
  if (arch === 'flux-schnell') return 'flux-schnell-lora';
  if (arch.startsWith('flux')) return 'flux-dev-lora';
  return 'sdxl-lora';
}

/** A LoRA's file name: the character's name made file-safe, and a piece of the job id. */
export function loraNameFor(characterName: string, jobId: string): string {
  const slug = characterName.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'character';
  const tail = jobId.replace(/[^a-z0-9]/gi, '').slice(-8).toLowerCase();
  return `${slug}-${tail}`;
}

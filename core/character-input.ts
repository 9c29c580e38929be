// What characters, their images and captions accept, checked by the API (and the CLI's messages come from here).
import { z } from 'zod';

export const MAX_CAPTION_CHARS = 1000;
export const MAX_SAMPLE_PROMPTS = 8;
/** images whose shorter side is under this are flagged and never trained on (the smallest preset's resolution) */
export const MIN_TRAINING_SIDE = 512;

export const assetIdSchema = z.string({ error: 'assetId must be the id of an upload (POST /api/uploads)' }).regex(/^a_[0-9a-f]{24}$/, 'assetId must be the id of an upload (a_ and 24 hex digits), from POST /api/uploads');

export const captionSchema = z.string({ error: 'caption must be text' }).max(MAX_CAPTION_CHARS, `a caption must be at most ${MAX_CAPTION_CHARS} characters`)
  .refine((v) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(v), 'a caption may not contain control characters: write plain text')
  .refine((v) => !/[/\\]/.test(v), 'a caption may not contain / or \\ (it would read as a file path): describe the image in words, e.g. "[trigger] standing in a park"')
  .transform((v) => v.trim().replace(/\s+/g, ' '));

export const triggerWordSchema = z.string({ error: 'triggerWord is required: one word prompts use to call the character, e.g. ohwx_ada' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$/, 'triggerWord must be one word of 2–32 letters, digits, _ or - (e.g. ohwx_ada): prompts use it to call the character');

export const promptListSchema = z.array(z.string().trim().min(1, 'a sample prompt is empty').max(500, 'a sample prompt must be at most 500 characters')
  .refine((v) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(v), 'a sample prompt may not contain control characters'))
  .min(1, 'give at least one sample prompt').max(MAX_SAMPLE_PROMPTS, `give at most ${MAX_SAMPLE_PROMPTS} sample prompts`);

/** the name a person knows the file by (display only, never a path) */
export const fileNameSchema = z.string().max(120, 'name must be at most 120 characters').transform((v) => v.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim()).refine((v) => v.length > 0, 'name is empty');
export const imageEntrySchema = z.object({ assetId: assetIdSchema, caption: captionSchema.optional(), name: fileNameSchema.optional() }).strict();

export const characterInputSchema = z.object({
  name: z.string({ error: 'name is required' }).trim().min(1, 'name is empty: give the character a name').max(80, 'name must be at most 80 characters')
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'name may not contain control characters'),
  triggerWord: triggerWordSchema,
  description: z.string().max(2000, 'description must be at most 2000 characters').refine((v) => !v.includes('\u0000'), 'description may not contain NUL characters').default(''),
  samplePrompts: promptListSchema.optional(),
  images: z.array(imageEntrySchema).max(200, 'add at most 200 images at once').default([]),
}).strict();
export type CharacterInput = z.infer<typeof characterInputSchema>;

export const characterUpdateSchema = characterInputSchema.omit({ images: true }).partial().strict();
export const addImagesSchema = z.object({ images: z.array(imageEntrySchema).min(1, 'send at least one image: {"images": [{"assetId": "a_…"}]}').max(200, 'add at most 200 images at once') }).strict();
export const captionUpdateSchema = z.object({ caption: captionSchema }).strict();

export function defaultSamplePrompts(): string[] {
  return ['photo of [trigger], portrait, soft light', '[trigger] walking in a park, full body', 'close-up of [trigger] smiling'];
}

/** `[trigger]` in a caption or prompt becomes the trigger word */
export const withTrigger = (text: string, triggerWord: string) => text.replaceAll('[trigger]', triggerWord);

export const tooSmallToTrain = (width: number, height: number, resolution = MIN_TRAINING_SIDE) => Math.min(width, height) < resolution;

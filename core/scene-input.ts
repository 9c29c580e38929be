// What a `scene` job accepts, checked at the API and again by the workflow's first activity (a job started from
// the `temporal` CLI never passed through the API).
import { z } from 'zod';
import { SCENE_BACKENDS } from '../workflows/scene-state.ts';

export const sceneInputSchema = z.object({
  image: z.string({ error: 'image is required: upload the picture (POST /api/uploads) and send its asset id' })
    .regex(/^a_[0-9a-f]{24}$/, 'image must be an asset id (a_ and 24 hex digits) from POST /api/uploads'),
  title: z.string().trim().max(200, 'title must be at most 200 characters').optional(),
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'project must be a short name (letters, digits, space, _ . -)').optional(),
  instructions: z.string().trim().max(2000, 'instructions must be at most 2000 characters').optional(),
  backend: z.enum(SCENE_BACKENDS, { error: `backend must be ${SCENE_BACKENDS.join(' or ')}` }).default('openai'),
  pool: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'pool must be a GPU pool name (lowercase letters, digits, dashes)').optional(),
  reviewPlan: z.boolean({ error: 'reviewPlan must be true or false' }).default(false),
  review: z.enum(['all', 'failed'], { error: 'review must be "all" (every step waits for a person) or "failed" (only failed checks)' }).default('failed'),
  autoRetries: z.number({ error: 'autoRetries must be a number' }).int('autoRetries must be a whole number').min(0, 'autoRetries must be 0 to 4').max(4, 'autoRetries must be 0 to 4').default(1),
}).strict();

export type SceneInput = z.input<typeof sceneInputSchema>;
export type SceneRequest = z.output<typeof sceneInputSchema>;

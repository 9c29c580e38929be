// What a `campaign` job accepts, checked at the API and again by the workflow's first activity
// (a job started from the `temporal` CLI never passed through the API).
import { z } from 'zod';

export const ILLUSTRATION_MODES = ['none', 'key', 'all'] as const;
export const DEFAULT_STYLE = 'ink and watercolour fantasy illustration, muted palette, storybook lighting';

const count = (name: string, min: number, max: number) =>
  z.number({ error: `${name} must be a whole number from ${min} to ${max}` }).int(`${name} must be a whole number`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);

export const campaignInputSchema = z.object({
  premise: z.string({ error: 'premise is required: describe the campaign in a few sentences' }).trim()
    .min(10, 'premise is too short: describe the campaign in a few sentences').max(4000, 'premise is longer than 4000 characters: shorten it'),
  title: z.string().trim().max(120, 'title must be at most 120 characters').optional(),
  tone: z.string().trim().max(200, 'tone must be at most 200 characters').optional(),
  setting: z.string().trim().max(600, 'setting must be at most 600 characters').optional(),
  partySize: count('partySize', 1, 10).default(4),
  level: count('level', 1, 20).default(3),
  sessions: count('sessions', 1, 20).default(3),
  contentLimits: z.string().trim().max(1000, 'contentLimits must be at most 1000 characters').optional(),
  reviewOutline: z.boolean({ error: 'reviewOutline must be true or false' }).default(false),
  illustrate: z.enum(ILLUSTRATION_MODES, { error: `illustrate must be one of ${ILLUSTRATION_MODES.join(', ')}` }).default('key'),
  illustrateNpcs: z.boolean({ error: 'illustrateNpcs must be true or false' }).default(true),
  style: z.string().trim().min(1, 'style is empty').max(400, 'style must be at most 400 characters').default(DEFAULT_STYLE),
  pool: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'pool must be a GPU pool name (lowercase letters, digits, dashes)').optional(),
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'project must be a short name (letters, digits, space, _ . -)').optional(),
}).strict();

export type CampaignInput = z.input<typeof campaignInputSchema>;
export type CampaignPremise = z.output<typeof campaignInputSchema>;

/** scenes the outline asks for: about three per session, at least 8 so branches have room, at most 40 */
export const scenesWanted = (sessions: number) => Math.min(40, Math.max(8, sessions * 3));

/** a title for lists until the outline names the campaign */
export const provisionalTitle = (premise: CampaignPremise) => premise.title || premise.premise.split(/(?<=[.!?])\s/)[0]!.slice(0, 80);

/** what a regenerated illustration may change */
export const regenerateInputSchema = z.object({
  prompt: z.string().trim().min(1, 'prompt is empty').max(2000, 'prompt must be at most 2000 characters').optional(),
}).strict();

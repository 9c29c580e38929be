// The outline's shape as zod checks it: the LLM's reply (repaired when it does not fit) and a person's edits.
import { z } from 'zod';
import { DIFFICULTIES, SCENE_KINDS, type Outline } from '../../workflows/campaign-outline.ts';

const id = (what: string) => z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, `${what} ids are lowercase letters, digits and dashes, e.g. "scene-3"`);
const text = (max: number) => z.string().trim().min(1).max(max);

const creature = z.object({ name: text(120), count: z.number().int().min(1).max(50), challenge: z.number().min(0).max(30) });
const encounter = z.object({ difficulty: z.enum(DIFFICULTIES), creatures: z.array(creature).min(1).max(12) });
const exit = z.object({ to: id('scene'), condition: text(300) });

export const sceneSchema = z.object({
  id: id('scene'),
  title: text(120),
  kind: z.enum(SCENE_KINDS),
  summary: text(1500),
  location: id('location'),
  npcs: z.array(id('NPC')).max(12),
  encounter: encounter.nullable().optional(),
  rewards: z.array(text(200)).max(12),
  exits: z.array(exit).max(8),
  ending: z.string().trim().max(1500).nullable().optional(),
});

export const outlineSchema = z.object({
  title: text(120),
  hook: text(2000),
  acts: z.array(z.object({ id: id('act'), title: text(120), summary: text(1500), scenes: z.array(sceneSchema).min(1).max(40) })).min(1).max(10),
  npcs: z.array(z.object({ id: id('NPC'), name: text(80), role: text(200), motive: text(500), secret: text(500) })).max(40),
  locations: z.array(z.object({ id: id('location'), name: text(80), description: text(800) })).max(40),
}) satisfies z.ZodType<Outline>;

export const MAX_SCENES = 60;

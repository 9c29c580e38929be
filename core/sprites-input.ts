// What a `sprites` job accepts, checked at the API and again by the workflow's first activity (a job started from
// the temporal CLI never passed through the API).
import { z } from 'zod';
import { FIXED_PALETTE_NAMES, type FixedPaletteName } from './palettes.ts';
import { MAX_PROMPT_CHARS, MAX_SEED } from './generate-input.ts';
import { MAX_SPRITE_IMAGES, SPRITE_CATEGORIES, SPRITE_GRIDS, SPRITE_STYLES, SPRITE_STYLE_NAMES, type SpriteCategory } from './sprite-styles.ts';

export { SPRITE_CATEGORIES, SPRITE_GRIDS, MAX_SPRITE_IMAGES, PIXEL_LORA, SPRITE_STYLES, SPRITE_STYLE_NAMES, CATEGORY_WORDS, SPRITE_NEGATIVE } from './sprite-styles.ts';
export type { SpriteCategory, SpriteStyleName } from './sprite-styles.ts';

const assetId = /^a_[0-9a-f]{24}$/;
const category = z.enum(SPRITE_CATEGORIES, { error: `category must be one of ${SPRITE_CATEGORIES.join(', ')}` });
const prompt = z.string({ error: 'each prompt is a string: describe the sprite' }).trim().min(1, 'a prompt is empty: describe the sprite')
  .max(MAX_PROMPT_CHARS, `a prompt is longer than ${MAX_PROMPT_CHARS} characters: shorten it`);
const frames = z.number({ error: 'frames must be a number' }).int('frames must be a whole number').min(1, 'frames must be at least 1').max(16, 'frames must be at most 16');

const promptEntry = z.union([
  prompt,
  z.object({
    prompt,
    category: category.optional(),
    name: z.string().trim().min(1, 'a name is empty').max(64, 'a name must be at most 64 characters').optional(),
    frames: frames.optional(),
  }).strict(),
], { error: 'each prompt is a string or {"prompt": "...", "category"?, "name"?, "frames"?}' });

export const spritesInputSchema = z.object({
  prompt: prompt.optional(),
  prompts: z.array(promptEntry, { error: 'prompts must be a list of prompts' }).max(64, 'at most 64 prompts per job: split the list').optional(),
  category: category.default('character'),
  variants: z.number({ error: 'variants must be a number' }).int('variants must be a whole number').min(1, 'variants must be at least 1').max(8, 'variants must be at most 8').default(1),
  frames: frames.default(1),
  style: z.enum(SPRITE_STYLE_NAMES, { error: `style must be one of ${SPRITE_STYLE_NAMES.join(', ')}` }).default('16bit'),
  size: z.union(SPRITE_GRIDS.map((g) => z.literal(g)) as [z.ZodLiteral<16>, z.ZodLiteral<32>, z.ZodLiteral<48>, z.ZodLiteral<64>], { error: `size must be one of ${SPRITE_GRIDS.join(', ')} (pixels per side)` }).optional(),
  palette: z.string().refine((p) => p === 'auto' || (FIXED_PALETTE_NAMES as string[]).includes(p) || assetId.test(p), `palette must be auto, one of ${FIXED_PALETTE_NAMES.join(', ')}, or the asset id of an uploaded palette PNG (POST /api/uploads)`).default('auto'),
  colours: z.number({ error: 'colours must be a number' }).int('colours must be a whole number').min(2, 'colours must be at least 2').max(256, 'colours must be at most 256').optional(),
  outline: z.boolean({ error: 'outline must be true or false' }).default(false),
  softAlpha: z.boolean({ error: 'softAlpha must be true or false' }).default(false),
  tolerance: z.number({ error: 'tolerance must be a number' }).int('tolerance must be a whole number').min(0, 'tolerance must be 0 to 200').max(200, 'tolerance must be 0 to 200').default(40),
  margin: z.number({ error: 'margin must be a number' }).int('margin must be a whole number').min(0, 'margin must be 0 to 8').max(8, 'margin must be 0 to 8').default(1),
  review: z.boolean({ error: 'review must be true or false' }).default(true),
  deploy: z.object({
    project: z.string({ error: 'deploy.project is the Bevy project folder' }).trim().min(1, 'deploy.project is empty: give the Bevy project folder').max(1000, 'deploy.project is too long'),
    force: z.boolean().default(false),
  }, { error: 'deploy must be {"project": "/path/to/bevy/game", "force"?: false}' }).strict().optional(),
  negativePrompt: z.string().max(MAX_PROMPT_CHARS, `negativePrompt is longer than ${MAX_PROMPT_CHARS} characters`).optional(),
  seed: z.number().int('seed must be a whole number').min(0, 'seed must be 0 or more').max(MAX_SEED, `seed must be at most ${MAX_SEED}`).optional(),
  steps: z.number().int('steps must be a whole number').min(1, 'steps must be at least 1').max(150, 'steps must be at most 150').default(20),
  pool: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'pool must be a GPU pool name (lowercase letters, digits, dashes)').optional(),
  template: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'template must be a template id from GET /api/templates').optional(),
  lora: z.string().max(200).optional(),
  loraStrength: z.number().min(-4, 'loraStrength must be between -4 and 4').max(4, 'loraStrength must be between -4 and 4').optional(),
  title: z.string().trim().max(200, 'title must be at most 200 characters').optional(),
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'project must be a short name (letters, digits, space, _ . -)').optional(),
}, { error: 'send a JSON object such as {"prompts": ["a medieval knight"]}' }).strict().superRefine((input, ctx) => {
  const count = (input.prompt ? 1 : 0) + (input.prompts?.length ?? 0);
  if (!count) return void ctx.addIssue({ code: 'custom', message: 'prompts is required: give one or more prompts, e.g. {"prompts": ["a medieval knight"]}' });
  if (input.prompt && input.prompts) ctx.addIssue({ code: 'custom', message: 'give either prompt or prompts, not both' });
  const images = [...(input.prompts ?? []), ...(input.prompt ? [input.prompt] : [])]
    .reduce((sum, entry) => sum + input.variants * (typeof entry === 'string' ? input.frames : entry.frames ?? input.frames), 0);
  if (images > MAX_SPRITE_IMAGES) ctx.addIssue({ code: 'custom', message: `this asks for ${images} images (prompts × variants × frames); at most ${MAX_SPRITE_IMAGES} per job: split it` });
  if (input.colours !== undefined && input.palette !== 'auto') ctx.addIssue({ code: 'custom', message: 'colours only applies to palette "auto": a fixed palette has its own colours' });
});

export type SpritesInput = z.input<typeof spritesInputSchema>;
export type SpritesRequest = z.output<typeof spritesInputSchema>;

export interface SpritePrompt { prompt: string; category: SpriteCategory; name?: string; frames: number }

/** The prompts of a request with their category and frames settled. */
export function spritePrompts(request: SpritesRequest): SpritePrompt[] {
  const entries = request.prompts ?? [request.prompt!];
  return entries.map((entry) => typeof entry === 'string'
    ? { prompt: entry, category: request.category, frames: request.frames }
    : { prompt: entry.prompt, category: entry.category ?? request.category, name: entry.name, frames: entry.frames ?? request.frames });
}

/** The palette a request maps onto: N colours found by libimagequant, a fixed one, or an uploaded palette PNG. */
export type PaletteChoice = { kind: 'auto'; colours: number } | { kind: 'fixed'; name: FixedPaletteName } | { kind: 'upload'; assetId: string };

export function paletteChoice(request: SpritesRequest): PaletteChoice {
  if (request.palette === 'auto') return { kind: 'auto', colours: request.colours ?? SPRITE_STYLES[request.style].colours };
  if (assetId.test(request.palette)) return { kind: 'upload', assetId: request.palette };
  return { kind: 'fixed', name: request.palette as FixedPaletteName };
}

/** "a line per prompt" files: blank lines and # comments skipped; `tile: mossy stone` sets that prompt's category */
export function parsePromptLines(text: string): (string | { prompt: string; category: SpriteCategory })[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const match = /^(character|item|tile|effect)\s*:\s*(.+)$/i.exec(line);
    return match ? { prompt: match[2]!.trim(), category: match[1]!.toLowerCase() as SpriteCategory } : line;
  });
}

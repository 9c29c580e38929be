// The sprites pages' logic: the form and the POST /api/sprites body it becomes, what a sprite's status reads as,
// and the frames of a sheet for the animation preview.
import { SPRITE_CATEGORIES, SPRITE_GRIDS, SPRITE_STYLES, type SpriteCategory, type SpriteStyleName } from '../../../core/sprite-styles.ts';
import { FIXED_PALETTES, FIXED_PALETTE_NAMES, type FixedPaletteName } from '../../../core/palettes.ts';
import type { SpriteState, SpritesState, SpriteStatus, DeploymentSummary } from '../../../workflows/sprites-state.ts';
import type { AtlasGrid } from '../../../core/bevy-atlas.ts';

export type { SpriteState, SpritesState, SpriteStatus, DeploymentSummary, AtlasGrid, SpriteCategory, SpriteStyleName, FixedPaletteName };
export { SPRITE_CATEGORIES, SPRITE_GRIDS, SPRITE_STYLES, FIXED_PALETTES, FIXED_PALETTE_NAMES };

export const VARIANT_CHOICES = [1, 2, 4, 8] as const;
export const MAX_PROMPTS = 64;

export interface SpritesForm {
  prompts: string;
  category: SpriteCategory;
  style: SpriteStyleName;
  /** 0: the style's grid */
  size: number;
  variants: number;
  frames: number;
  /** auto, a fixed palette's name, or 'upload' */
  palette: 'auto' | FixedPaletteName | 'upload';
  /** 0: the style's count */
  colours: number;
  uploadedPalette: { id: string; name: string } | null;
  outline: boolean;
  review: boolean;
  project: string;
}

export type SpritesProblems = Partial<Record<keyof SpritesForm, string>>;

export function defaultSpritesForm(): SpritesForm {
  return { prompts: '', category: 'character', style: '16bit', size: 0, variants: 4, frames: 1, palette: 'auto', colours: 0, uploadedPalette: null, outline: false, review: true, project: '' };
}

/** one prompt a line; "tile: mossy stone" gives that line its own category */
export function promptLines(text: string): (string | { prompt: string; category: SpriteCategory })[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((line) => {
    const match = /^(character|item|tile|effect)\s*:\s*(.+)$/i.exec(line);
    return match ? { prompt: match[2]!.trim(), category: match[1]!.toLowerCase() as SpriteCategory } : line;
  });
}

export const gridOf = (form: SpritesForm) => form.size || SPRITE_STYLES[form.style].grid;
export const coloursOf = (form: SpritesForm) => form.colours || SPRITE_STYLES[form.style].colours;
export const imageCount = (form: SpritesForm) => promptLines(form.prompts).length * form.variants * form.frames;

export function spritesProblems(form: SpritesForm): SpritesProblems {
  const problems: SpritesProblems = {};
  const lines = promptLines(form.prompts);
  if (!lines.length) problems.prompts = 'Describe at least one sprite, one per line.';
  else if (lines.length > MAX_PROMPTS) problems.prompts = `At most ${MAX_PROMPTS} prompts per job: split the list.`;
  else if (lines.some((l) => (typeof l === 'string' ? l : l.prompt).length > 4000)) problems.prompts = 'A prompt is longer than 4000 characters.';
  else if (imageCount(form) > 256) problems.prompts = `This asks for ${imageCount(form)} images (prompts × variants × frames); at most 256 per job.`;
  if (!Number.isInteger(form.frames) || form.frames < 1 || form.frames > 16) problems.frames = 'Frames must be a whole number from 1 to 16.';
  if (form.palette === 'auto' && form.colours && (!Number.isInteger(form.colours) || form.colours < 2 || form.colours > 256)) problems.colours = 'Colours must be a whole number from 2 to 256.';
  if (form.palette === 'upload' && !form.uploadedPalette) problems.palette = 'Upload a palette PNG (one swatch per colour), or choose another palette.';
  if (form.project && !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/.test(form.project)) problems.project = 'A short name: letters, digits, space, _ . - (at most 64).';
  return problems;
}

export function spritesRequest(form: SpritesForm): Record<string, unknown> {
  const palette = form.palette === 'upload' ? form.uploadedPalette!.id : form.palette;
  return {
    prompts: promptLines(form.prompts), category: form.category, style: form.style, variants: form.variants,
    ...(form.size ? { size: form.size } : {}), ...(form.frames > 1 ? { frames: form.frames } : {}), palette,
    ...(form.palette === 'auto' && form.colours ? { colours: form.colours } : {}),
    outline: form.outline, review: form.review, ...(form.project.trim() ? { project: form.project.trim() } : {}),
  };
}

export const STATUS_WORDS: Record<SpriteStatus, string> = {
  pending: 'Waiting for the GPU', generating: 'Generating', pixelating: 'Pixelating', 'awaiting-review': 'Awaiting your review',
  kept: 'Kept', discarded: 'Discarded', failed: 'Failed', cancelled: 'Cancelled',
};

/** the sprites still being made and those waiting for a person */
export function spriteCounts(sprites: SpriteState[]) {
  const count = (...statuses: SpriteStatus[]) => sprites.filter((s) => statuses.includes(s.status)).length;
  return { making: count('pending', 'generating', 'pixelating'), waiting: count('awaiting-review'), kept: count('kept'), discarded: count('discarded'), total: sprites.length };
}

/** where frame `index` of a sheet sits (in sheet pixels), left to right, top to bottom */
export function frameOffset(atlas: AtlasGrid, index: number): { x: number; y: number } {
  const [w, h] = atlas.tileSize;
  const frame = index % atlas.frames;
  return { x: (frame % atlas.columns) * w, y: Math.floor(frame / atlas.columns) * h };
}

/** a sprites job's own page for sprites jobs, the generic job page for the rest */
export const jobPage = (job: { id: string; pipeline: string }) => `/${job.pipeline === 'sprites' ? 'sprites' : 'jobs'}/${encodeURIComponent(job.id)}`;

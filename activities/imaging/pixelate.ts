// Generated images → clean pixel art: background keyed out, trimmed to its content with a margin, scaled
// (nearest-neighbour) onto the target grid, reduced to a palette without dithering, optionally outlined.
// Frames of one animation share one scale, one placement and one palette, and are packed into a sheet.
import { crop, decodeRaster, hardenAlpha, opaqueColours, type Raster } from './rgba.ts';
import { keyBackground } from './background.ts';
import { contentBox, fitToGrid, previewFactor, sampleNearest, unionBox, upscale, type Box } from './fit.ts';
import { darkest, mapToPalette, quantize } from './palette.ts';
import { addOutline } from './outline.ts';
import { checkSeams, repeat3x3, type SeamCheck } from './tiles.ts';
import { packSheet } from './sheet.ts';
import { gridFor, type AtlasGrid } from '../../core/bevy-atlas.ts';
import type { Rgb } from '../../core/palettes.ts';

export type ResolvedPalette = { kind: 'auto'; colours: number } | { kind: 'list'; colours: Rgb[] };

export interface PixelateOptions {
  grid: number;
  /** tiles fill their cell: no keying, no trim */
  tile: boolean;
  /** characters stand on the bottom of their cell */
  ground: boolean;
  tolerance: number;
  margin: number;
  softAlpha: boolean;
  outline: boolean;
  palette: ResolvedPalette;
}

export interface PixelateResult {
  /** the sprite at grid size, or the sheet of its frames */
  sprite: Raster;
  preview: Raster;
  previewFactor: number;
  /** a tile repeated 3 × 3 (tiles only) */
  tilePreview?: Raster;
  /** the sheet's layout (more than one frame) */
  atlas?: AtlasGrid;
  colours: number;
  /** share of the source made transparent (mean over frames) */
  keyedShare: number;
  seams?: SeamCheck;
  notes: string[];
}

/** keying works on a copy of at most this side: a 1024² image keyed at 256² costs a sixteenth */
const WORK_SIDE = 256;

function workCopy(source: Raster, grid: number): Raster {
  const side = Math.max(source.width, source.height);
  const target = Math.min(side, Math.max(WORK_SIDE, grid * 4));
  if (target === side) return source;
  const k = target / side;
  return sampleNearest(source, { left: 0, top: 0, width: source.width, height: source.height }, Math.max(1, Math.round(source.width * k)), Math.max(1, Math.round(source.height * k)));
}

export async function pixelate(sources: Uint8Array[], options: PixelateOptions): Promise<PixelateResult> {
  if (!sources.length) throw new Error('pixelate needs at least one image');
  const notes: string[] = [];
  const works = await Promise.all(sources.map(async (bytes) => workCopy(await decodeRaster(bytes), options.grid)));
  let cells: Raster[];
  let keyedShare = 0;
  if (options.tile) {
    cells = works.map((w) => sampleNearest(w, { left: 0, top: 0, width: w.width, height: w.height }, options.grid, options.grid));
  } else {
    const originals = works.map((w) => new Uint8Array(w.data));
    const boxes: (Box | null)[] = [];
    for (const [index, work] of works.entries()) {
      const keyed = keyBackground(work, options.tolerance, options.softAlpha);
      if (!keyed.key && keyed.keyedShare === 0) notes.push(`${works.length > 1 ? `frame ${index + 1}: ` : ''}the corners do not share one background colour, so nothing was keyed out`);
      let box = contentBox(work);
      if (!box) {
        work.data.set(originals[index]!);
        box = contentBox(work);
        notes.push(`${works.length > 1 ? `frame ${index + 1}: ` : ''}keying removed everything (the subject has the background's colour), so the background was kept`);
      }
      keyedShare += keyed.keyedShare / works.length;
      boxes.push(box);
    }
    const box = unionBox(boxes)!;
    const margin = options.outline ? Math.max(1, options.margin) : options.margin;
    cells = works.map((w) => fitToGrid(w, box, options.grid, margin, options.ground));
  }
  if (!options.softAlpha) cells.forEach(hardenAlpha);

  const atlas = cells.length > 1 ? gridFor(cells.length, options.grid) : undefined;
  let sprite = atlas ? packSheet(cells, atlas) : cells[0]!;
  sprite = options.palette.kind === 'auto' ? await quantize(sprite, options.palette.colours, options.softAlpha) : mapToPalette(sprite, options.palette.colours);
  if (!options.softAlpha) hardenAlpha(sprite);
  if (options.outline && !options.tile) {
    const used = options.palette.kind === 'list' ? options.palette.colours : [...opaqueColours(sprite)].map((n): Rgb => [n >> 16 & 255, n >> 8 & 255, n & 255]);
    if (used.length) sprite = addOutline(sprite, darkest(used));
  }

  const factor = previewFactor(sprite, atlas ? 512 : 256);
  const result: PixelateResult = { sprite, preview: upscale(sprite, factor), previewFactor: factor, atlas, colours: opaqueColours(sprite).size, keyedShare, notes };
  if (options.tile) {
    // an animated tile (water) is judged by its first frame
    const first = atlas ? crop(sprite, 0, 0, options.grid, options.grid) : sprite;
    result.seams = checkSeams(first);
    const repeated = repeat3x3(first);
    result.tilePreview = upscale(repeated, previewFactor(repeated, 384));
  }
  return result;
}

// Palette reduction without dithering: N colours chosen by libimagequant (sharp's PNG palette output), or every
// pixel mapped onto a fixed palette by nearest colour in OKLab.
import sharp from 'sharp';
import { decodeRaster, hardenAlpha, opaqueColours, type Raster } from './rgba.ts';
import { labDistance, oklab, type Lab } from './oklab.ts';
import type { Rgb } from '../../core/palettes.ts';

export class PaletteError extends Error {}

/** At most `colours` opaque colours, chosen by libimagequant, no dithering. Transparency is not counted as a colour. */
export async function quantize(raster: Raster, colours: number, softAlpha: boolean): Promise<Raster> {
  if (opaqueColours(raster).size <= colours) return raster;
  let hasTransparent = false;
  for (let i = 3; i < raster.data.length; i += 4) if (raster.data[i] !== 255) { hasTransparent = true; break; }
  // libimagequant counts the transparent entry among its colours
  const entries = Math.min(256, colours + (hasTransparent ? 1 : 0));
  const png = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 4 } })
    .png({ palette: true, colours: entries, dither: 0, effort: 2 }).toBuffer();
  const reduced = await decodeRaster(png);
  if (!softAlpha) hardenAlpha(reduced);
  if (opaqueColours(reduced).size > colours) return mapToPalette(reduced, [...opaqueColours(reduced)].slice(0, colours).map((n) => [n >> 16 & 255, n >> 8 & 255, n & 255] as Rgb));
  return reduced;
}

/** Every opaque pixel becomes the palette colour nearest to it in OKLab. */
export function mapToPalette(raster: Raster, palette: Rgb[]): Raster {
  if (!palette.length) throw new PaletteError('the palette has no colours');
  const labs: Lab[] = palette.map(([r, g, b]) => oklab(r, g, b));
  const cache = new Map<number, number>();
  const out = { ...raster, data: new Uint8Array(raster.data) };
  const d = out.data;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] === 0) continue;
    const rgb = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
    let best = cache.get(rgb);
    if (best === undefined) {
      const lab = oklab(d[i]!, d[i + 1]!, d[i + 2]!);
      let bestDistance = Infinity;
      for (const [index, candidate] of labs.entries()) {
        const distance = labDistance(lab, candidate);
        if (distance < bestDistance) [best, bestDistance] = [index, distance];
      }
      cache.set(rgb, best!);
    }
    const [r, g, b] = palette[best!]!;
    d[i] = r; d[i + 1] = g; d[i + 2] = b;
  }
  return out;
}

export const MAX_PALETTE_COLOURS = 256;

/** The colours of a palette image (a Lospec-style strip or grid): its distinct opaque colours in reading order. */
export async function readPaletteImage(bytes: Uint8Array): Promise<Rgb[]> {
  let raster: Raster;
  try {
    raster = await decodeRaster(bytes);
  } catch {
    throw new PaletteError('the palette file is not an image Atelier can read: upload a PNG with one swatch per colour');
  }
  if (raster.width * raster.height > 1 << 20) throw new PaletteError(`the palette image is ${raster.width} × ${raster.height} pixels: a palette PNG is small (one pixel or one square per colour)`);
  const seen = new Map<number, Rgb>();
  const d = raster.data;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3]! < 128) continue;
    const key = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
    if (!seen.has(key)) seen.set(key, [d[i]!, d[i + 1]!, d[i + 2]!]);
    if (seen.size > MAX_PALETTE_COLOURS) throw new PaletteError(`the palette image has more than ${MAX_PALETTE_COLOURS} colours: upload a palette (one swatch per colour), not a picture`);
  }
  if (seen.size < 2) throw new PaletteError('the palette image has fewer than 2 opaque colours: upload a palette PNG with one swatch per colour');
  return [...seen.values()];
}

/** the darkest colour of a set (lowest OKLab lightness): what an outline is drawn with */
export function darkest(colours: Rgb[]): Rgb {
  return colours.reduce((best, c) => (oklab(...c)[0] < oklab(...best)[0] ? c : best));
}

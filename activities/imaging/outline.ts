// A 1-pixel outline: every transparent pixel touching an opaque one (4-neighbourhood) takes the outline colour.
import type { Raster } from './rgba.ts';
import type { Rgb } from '../../core/palettes.ts';

export function addOutline(raster: Raster, [r, g, b]: Rgb): Raster {
  const { width, height } = raster;
  const source = raster.data;
  const out = { ...raster, data: new Uint8Array(source) };
  const opaque = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && source[(y * width + x) * 4 + 3]! > 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (source[i + 3]! > 0) continue;
      if (!(opaque(x - 1, y) || opaque(x + 1, y) || opaque(x, y - 1) || opaque(x, y + 1))) continue;
      out.data[i] = r; out.data[i + 1] = g; out.data[i + 2] = b; out.data[i + 3] = 255;
    }
  }
  return out;
}

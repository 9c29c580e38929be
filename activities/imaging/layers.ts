// Layers for export: an EXTRACT result (the target on white) becomes a transparent layer; the merged picture is
// the layers composited over the plate, as an editor would show the stack.
import sharp from 'sharp';
import type { Raster } from './raster.ts';

/** White (within the tolerance) becomes transparent, with a short ramp so anti-aliased edges stay soft. */
export function whiteToAlpha(layer: Raster, tolerance = 12): Raster {
  const { width, height, channels, data } = layer;
  const out = Buffer.alloc(width * height * 4);
  for (let p = 0, i = 0, o = 0; p < width * height; p++, i += channels, o += 4) {
    const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
    const distance = 255 - Math.min(r, g, b);
    const own = channels === 4 ? data[i + 3]! : 255;
    const alpha = distance <= tolerance ? 0 : distance >= tolerance * 2 ? 255 : Math.round((255 * (distance - tolerance)) / tolerance);
    out[o] = r; out[o + 1] = g; out[o + 2] = b; out[o + 3] = Math.min(own, alpha);
  }
  return { width, height, channels: 4, data: out };
}

export interface PlacedLayer { name: string; png: Buffer; x: number; y: number; visible: boolean }

/** The visible layers composited bottom-up on a canvas (the stack lists the top layer first). */
export async function mergeLayers(canvas: { width: number; height: number }, stack: PlacedLayer[]): Promise<Buffer> {
  const bottomUp = stack.filter((l) => l.visible).reverse();
  return sharp({ create: { width: canvas.width, height: canvas.height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(bottomUp.map((l) => ({ input: l.png, left: l.x, top: l.y })))
    .png()
    .toBuffer();
}

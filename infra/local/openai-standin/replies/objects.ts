// The "objects" the stand-in finds in a picture: regions of one named colour that differ from the background
// (the corner colour), with their box and share of the picture. No model: enough to plan and to edit consistently.
import sharp from 'sharp';
import { colourName } from './vision.ts';

export interface FoundObject { colour: string; share: number; box: { left: number; top: number; width: number; height: number } }

const GRID = 96;

export async function findObjects(bytes: Buffer, limit = 3): Promise<{ background: string; objects: FoundObject[]; width: number; height: number }> {
  const meta = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes).flatten({ background: '#ffffff' }).resize({ width: GRID, height: GRID, fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
  const at = (i: number): [number, number, number] => [data[i]!, data[i + 1]!, data[i + 2]!];
  const corner = at(0);
  const background = colourName(corner);
  const groups = new Map<string, { count: number; left: number; top: number; right: number; bottom: number }>();
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const pixel = at((y * info.width + x) * info.channels);
      if (Math.abs(pixel[0] - corner[0]) + Math.abs(pixel[1] - corner[1]) + Math.abs(pixel[2] - corner[2]) <= 48) continue;
      const name = colourName(pixel);
      if (name === background) continue;
      const g = groups.get(name) ?? { count: 0, left: x, top: y, right: x, bottom: y };
      g.count++;
      g.left = Math.min(g.left, x); g.top = Math.min(g.top, y); g.right = Math.max(g.right, x); g.bottom = Math.max(g.bottom, y);
      groups.set(name, g);
    }
  }
  const total = info.width * info.height;
  const objects = [...groups.entries()]
    .map(([colour, g]) => ({ colour, share: g.count / total, box: { left: g.left / info.width, top: g.top / info.height, width: (g.right - g.left + 1) / info.width, height: (g.bottom - g.top + 1) / info.height } }))
    .filter((o) => o.share >= 0.004)
    .sort((a, b) => b.share - a.share)
    .slice(0, limit);
  return { background, objects, width: meta.width ?? 0, height: meta.height ?? 0 };
}

/** the colour a prompt names ("the red lamp"), if any */
export function namedColour(prompt: string, colours: string[]): string | undefined {
  return colours.find((name) => new RegExp(`\\b${name}\\b`, 'i').test(prompt));
}

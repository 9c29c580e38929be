// What the stand-in "sees" in an image: its size, its main colours and where its content sits (sharp, no model).
import sharp from 'sharp';

export interface ImageLook {
  width: number;
  height: number;
  /** the most common colours, most common first, by name */
  colours: string[];
  /** bounding box of what differs from the corner colour (the background), in pixels */
  content: { left: number; top: number; width: number; height: number } | null;
}

const NAMED: [string, [number, number, number]][] = [
  ['black', [20, 20, 20]], ['white', [240, 240, 240]], ['grey', [128, 128, 128]], ['red', [200, 40, 40]], ['orange', [230, 130, 40]],
  ['yellow', [230, 210, 60]], ['green', [60, 160, 70]], ['teal', [40, 150, 150]], ['blue', [50, 90, 200]], ['purple', [130, 60, 170]],
  ['pink', [230, 130, 180]], ['brown', [120, 80, 50]],
];

export function colourName([r, g, b]: [number, number, number]): string {
  let best = NAMED[0]!;
  let distance = Infinity;
  for (const entry of NAMED) {
    const d = (entry[1][0] - r) ** 2 + (entry[1][1] - g) ** 2 + (entry[1][2] - b) ** 2;
    if (d < distance) [best, distance] = [entry, d];
  }
  return best[0];
}

export async function lookAt(bytes: Buffer): Promise<ImageLook> {
  const { data, info } = await sharp(bytes).flatten({ background: '#ffffff' }).resize({ width: 64, height: 64, fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
  const meta = await sharp(bytes).metadata();
  const counts = new Map<string, number>();
  const at = (x: number, y: number): [number, number, number] => {
    const i = (y * info.width + x) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  const corner = at(0, 0);
  let [left, top, right, bottom] = [info.width, info.height, -1, -1];
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const pixel = at(x, y);
      const name = colourName(pixel);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (Math.abs(pixel[0] - corner[0]) + Math.abs(pixel[1] - corner[1]) + Math.abs(pixel[2] - corner[2]) > 48) {
        left = Math.min(left, x); top = Math.min(top, y); right = Math.max(right, x); bottom = Math.max(bottom, y);
      }
    }
  }
  const sx = (meta.width ?? info.width) / info.width;
  const sy = (meta.height ?? info.height) / info.height;
  return {
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    colours: [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name),
    content: right < 0 ? null : { left: Math.floor(left * sx), top: Math.floor(top * sy), width: Math.ceil((right - left + 1) * sx), height: Math.ceil((bottom - top + 1) * sy) },
  };
}

/** One sentence about the image, as a captioning model would write it. */
export function describeLook(look: ImageLook): string {
  const shape = look.width > look.height * 1.2 ? 'a wide' : look.height > look.width * 1.2 ? 'a tall' : 'a square';
  const [main, second] = look.colours;
  return `${shape} picture in ${main ?? 'muted'}${second ? ` and ${second}` : ''} tones`;
}

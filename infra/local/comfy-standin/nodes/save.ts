import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isObject, toJson } from '../json.ts';
import { inside, type FolderType } from '../paths.ts';
import { withPngText } from '../render/png-text.ts';
import { encodePng } from '../render/pixels.ts';
import { NodeFailure, type ImageRef, type NodeContext } from './spec.ts';
import type { ImageBatch } from './values.ts';

function expandVars(prefix: string, width: number, height: number): string {
  const now = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const vars: Record<string, string> = {
    width: String(width), height: String(height), year: String(now.getFullYear()), month: two(now.getMonth() + 1),
    day: two(now.getDate()), hour: two(now.getHours()), minute: two(now.getMinutes()), second: two(now.getSeconds()),
  };
  return prefix.replace(/%(width|height|year|month|day|hour|minute|second)%/g, (_m, key: string) => vars[key]);
}

/** Python's int() of the text between the prefix and the next "_"; 0 when it is not a number. */
function counterOf(name: string, prefix: string): number | undefined {
  if (name.slice(0, prefix.length) !== prefix || name[prefix.length] !== '_') return undefined;
  const digits = name.slice(prefix.length + 1).split('_')[0].trim();
  return /^[+-]?\d+$/.test(digits) ? Number(digits) : 0;
}

/** Where the next images go: ComfyUI's get_save_image_path (the counter continues over what is there). */
function savePath(root: string, rawPrefix: string, width: number, height: number) {
  const prefix = path.normalize(expandVars(rawPrefix, width, height));
  const subfolder = path.dirname(prefix) === '.' ? '' : path.dirname(prefix);
  const filename = path.basename(prefix);
  const folder = inside(root, subfolder);
  if (!folder) {
    throw new NodeFailure(
      `**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: ${path.resolve(root, subfolder)}\n         output_dir: ${root}`,
    );
  }
  mkdirSync(folder, { recursive: true });
  const counters = readdirSync(folder).map((name) => counterOf(name, filename)).filter((c): c is number => c !== undefined);
  const counter = counters.length > 0 ? Math.max(...counters) + 1 : 1;
  return { folder, filename, subfolder, counter };
}

/** SaveImage / PreviewImage: one PNG per image, with the graph in its text chunks. */
export async function writeImages(
  batch: ImageBatch,
  prefix: string,
  type: FolderType,
  compressionLevel: number,
  ctx: NodeContext,
): Promise<ImageRef[]> {
  const first = batch.frames[0];
  const root = ctx.dirs[type];
  const target = savePath(root, prefix, first?.width ?? 0, first?.height ?? 0);
  const text: Array<[string, string]> = [['prompt', toJson(ctx.graph)]];
  const pnginfo = ctx.extraData.extra_pnginfo;
  if (isObject(pnginfo)) for (const [key, value] of Object.entries(pnginfo)) text.push([key, toJson(value)]);
  const refs: ImageRef[] = [];
  let counter = target.counter;
  for (const [index, frame] of batch.frames.entries()) {
    const name = `${target.filename.replaceAll('%batch_num%', String(index))}_${String(counter).padStart(5, '0')}_.png`;
    writeFileSync(path.join(target.folder, name), withPngText(await encodePng(frame, compressionLevel), text));
    const ref: ImageRef = { filename: name, subfolder: target.subfolder, type };
    ctx.imageWritten(ref);
    refs.push(ref);
    counter++;
  }
  return refs;
}

// Model upscaling (ComfyUI's comfy_extras/nodes_upscale_model.py, V3 schema: combos in the ["COMBO", {options}] shape).
import { scale } from '../render/pixels.ts';
import { guardMemory } from './latent.ts';
import { combo, link, type NodeClass } from './spec.ts';
import { images, type ImageBatch, type NamedModel } from './values.ts';

/** A real model's scale is in its weights; here the file name says it ("…2x…", "x4", default 4). */
export function upscaleFactor(name: string): number {
  const match = /(?:^|[^0-9])([1-8])x|x([1-8])(?:[^0-9]|$)/i.exec(name);
  return Number(match?.[1] ?? match?.[2] ?? 4);
}

const TILE_STEPS = 4;

export const upscaleNodes: NodeClass[] = [
  {
    name: 'UpscaleModelLoader',
    displayName: 'Load Upscale Model',
    category: 'model/loaders',
    description: '',
    pythonModule: 'comfy_extras.nodes_upscale_model',
    required: { model_name: combo((dirs) => dirs.modelNames('upscale_models'), {}, 'v3') },
    outputs: [{ type: 'UPSCALE_MODEL' }],
    async run({ model_name }) {
      const model: NamedModel = { kind: 'UPSCALE_MODEL', name: String(model_name) };
      return { outputs: [model] };
    },
  },
  {
    name: 'ImageUpscaleWithModel',
    displayName: 'Upscale Image (using Model)',
    category: 'image/upscaling',
    description: '',
    pythonModule: 'comfy_extras.nodes_upscale_model',
    // tiled, with a progress bar over the tiles
    reportsProgress: true,
    required: { upscale_model: link('UPSCALE_MODEL'), image: link('IMAGE') },
    outputs: [{ type: 'IMAGE' }],
    async run({ upscale_model, image }, ctx) {
      const factor = upscaleFactor((upscale_model as NamedModel).name);
      const batch = image as ImageBatch;
      const first = batch.frames[0]!;
      guardMemory(first.width * factor, first.height * factor, batch.frames.length);
      for (let tile = 1; tile <= TILE_STEPS; tile++) {
        await ctx.step();
        await ctx.progress(tile, TILE_STEPS);
      }
      return { outputs: [images(await Promise.all(batch.frames.map((f) => scale(f, f.width * factor, f.height * factor, 'lanczos', false))))] };
    },
  },
];

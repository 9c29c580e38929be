import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gaussianBlur, invert, scale, decodeImage, solid, type ScaleMethod } from '../render/pixels.ts';
import { isFile } from '../paths.ts';
import { guardMemory } from './latent.ts';
import { writeImages } from './save.ts';
import { combo, float, int, link, MAX_RESOLUTION, NodeFailure, string, type NodeClass } from './spec.ts';
import { images, masks, type ImageBatch } from './values.ts';

const SAVE_DESCRIPTION = 'Saves the input images to your ComfyUI output directory.';
const PNG_HIDDEN = { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' };
const SCALE_METHODS: ScaleMethod[] = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'];

const mapFrames = async (batch: unknown, fn: (f: ImageBatch['frames'][number]) => Promise<ImageBatch['frames'][number]>) =>
  images(await Promise.all((batch as ImageBatch).frames.map(fn)));

export const imageNodes: NodeClass[] = [
  {
    name: 'SaveImage',
    displayName: 'Save Image',
    category: 'image',
    description: SAVE_DESCRIPTION,
    outputNode: true,
    required: {
      images: link('IMAGE', 'The images to save.'),
      filename_prefix: string({
        default: 'ComfyUI',
        tooltip:
          'The prefix for the file to save. This may include formatting information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes.',
      }),
    },
    hidden: PNG_HIDDEN,
    outputs: [],
    async run({ images: batch, filename_prefix }, ctx) {
      return { outputs: [], ui: { images: await writeImages(batch as ImageBatch, String(filename_prefix), 'output', 4, ctx) } };
    },
  },
  {
    name: 'PreviewImage',
    displayName: 'Preview Image',
    category: 'image',
    description: SAVE_DESCRIPTION,
    outputNode: true,
    required: { images: link('IMAGE') },
    hidden: PNG_HIDDEN,
    outputs: [],
    async run({ images: batch }, ctx) {
      const letters = 'abcdefghijklmnopqrstupvxyz';
      const suffix = Array.from({ length: 5 }, () => letters[randomInt(letters.length)]).join('');
      return { outputs: [], ui: { images: await writeImages(batch as ImageBatch, `ComfyUI_temp_${suffix}`, 'temp', 1, ctx) } };
    },
  },
  {
    name: 'LoadImage',
    displayName: 'Load Image',
    category: 'image',
    description: '',
    required: { image: combo((dirs) => dirs.inputImageNames(), { image_upload: true }) },
    outputs: [{ type: 'IMAGE' }, { type: 'MASK' }],
    validate: {
      inputs: ['image'],
      check: ({ image }, dirs) => {
        const file = dirs.annotated(String(image), 'input');
        return file && isFile(file) ? true : `Invalid image file: ${image}`;
      },
    },
    fingerprint: ({ image }, dirs) => {
      const file = dirs.annotated(String(image), 'input');
      return file && isFile(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : '';
    },
    async run({ image }, ctx) {
      const file = ctx.dirs.annotated(String(image), 'input') ?? '';
      let decoded;
      try {
        decoded = await decodeImage(readFileSync(file));
      } catch {
        throw new NodeFailure(`cannot identify image file '${file}'`, 'PIL.UnidentifiedImageError');
      }
      return { outputs: [images([decoded.image]), masks([decoded.mask])] };
    },
  },
  {
    name: 'EmptyImage',
    displayName: 'EmptyImage',
    category: 'image',
    description: '',
    required: {
      width: int({ default: 512, min: 1, max: MAX_RESOLUTION, step: 1 }),
      height: int({ default: 512, min: 1, max: MAX_RESOLUTION, step: 1 }),
      batch_size: int({ default: 1, min: 1, max: 4096 }),
      color: int({ default: 0, min: 0, max: 0xffffff, step: 1, display: 'color' }),
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ width, height, batch_size, color }) {
      const [w, h, n, c] = [Number(width), Number(height), Number(batch_size), Number(color)];
      guardMemory(w, h, n);
      const frame = solid(w, h, [(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff]);
      return { outputs: [images(Array.from({ length: n }, () => frame))] };
    },
  },
  {
    name: 'ImageBlur',
    displayName: 'Image Blur',
    category: 'image/postprocessing',
    description: '',
    pythonModule: 'comfy_extras.nodes_post_processing',
    required: {
      image: link('IMAGE'),
      blur_radius: int({ default: 1, min: 1, max: 31, step: 1 }),
      sigma: float({ default: 1.0, min: 0.1, max: 10.0, step: 0.1 }),
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ image, blur_radius, sigma }) {
      return { outputs: [await mapFrames(image, (f) => gaussianBlur(f, Number(blur_radius), Number(sigma)))] };
    },
  },
  {
    name: 'ImageScale',
    displayName: 'Upscale Image',
    category: 'image/upscaling',
    description: '',
    required: {
      image: link('IMAGE'),
      upscale_method: combo(SCALE_METHODS, {}, 'v3'),
      width: int({ default: 512, min: 0, max: MAX_RESOLUTION, step: 1 }),
      height: int({ default: 512, min: 0, max: MAX_RESOLUTION, step: 1 }),
      crop: combo(['disabled', 'center'], {}, 'v3'),
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ image, upscale_method, width, height, crop }) {
      const batch = image as ImageBatch;
      const first = batch.frames[0];
      let [w, h] = [Number(width), Number(height)];
      if (w === 0 && h === 0) return { outputs: [batch] };
      if (w === 0) w = Math.max(1, Math.round((first.width * h) / first.height));
      if (h === 0) h = Math.max(1, Math.round((first.height * w) / first.width));
      guardMemory(w, h, batch.frames.length);
      return { outputs: [await mapFrames(batch, (f) => scale(f, w, h, upscale_method as ScaleMethod, crop === 'center'))] };
    },
  },
  {
    name: 'ImageInvert',
    displayName: 'Invert Image',
    category: 'image',
    description: '',
    required: { image: link('IMAGE') },
    outputs: [{ type: 'IMAGE' }],
    async run({ image }) {
      return { outputs: [await mapFrames(image, async (f) => invert(f))] };
    },
  },
];

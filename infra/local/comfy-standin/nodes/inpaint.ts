// Inpainting and outpainting nodes of ComfyUI (nodes.py, comfy_extras/nodes_mask.py, v0.33 shapes): LoadImageMask,
// VAEEncodeForInpaint, ImagePadForOutpaint and ImageCompositeMasked. Masks are one channel, 255 = 1.0.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { cropTo, type Pixels } from '../render/pixels.ts';
import { isFile } from '../paths.ts';
import { combo, int, link, MAX_RESOLUTION, NodeFailure, type NodeClass } from './spec.ts';
import { images, masks, type ImageBatch, type Latent } from './values.ts';

const CHANNELS = ['alpha', 'red', 'green', 'blue'];

async function resizeMask(mask: Pixels, width: number, height: number): Promise<Pixels> {
  if (mask.width === width && mask.height === height) return mask;
  const data = await sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }).resize({ width, height, fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  return { width, height, channels: 1, data };
}

/** a binary mask grown by a box of `size` (conv2d with ones, clamped, rounded) */
function growMask(mask: Pixels, size: number): Pixels {
  if (size <= 0) return { ...mask, data: Buffer.from(mask.data.map((v) => (v >= 128 ? 255 : 0))) };
  const before = Math.ceil((size - 1) / 2);
  const after = size - 1 - before;
  const out = Buffer.alloc(mask.data.length);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]! < 128) continue;
      for (let yy = Math.max(0, y - after); yy <= Math.min(mask.height - 1, y + before); yy++) out.fill(255, yy * mask.width + Math.max(0, x - after), yy * mask.width + Math.min(mask.width, x + before + 1));
    }
  }
  return { ...mask, data: out };
}

const file = (dirs: { annotated(name: string, type: 'input'): string | undefined }, image: unknown) => dirs.annotated(String(image), 'input');

export const inpaintNodes: NodeClass[] = [
  {
    name: 'LoadImageMask',
    displayName: 'Load Image (as Mask)',
    category: 'mask',
    description: '',
    required: { image: combo((dirs) => dirs.inputImageNames(), { image_upload: true }), channel: combo(CHANNELS) },
    outputs: [{ type: 'MASK' }],
    validate: { inputs: ['image'], check: ({ image }, dirs) => { const f = file(dirs, image); return f && isFile(f) ? true : `Invalid image file: ${image}`; } },
    fingerprint: ({ image }, dirs) => { const f = file(dirs, image); return f && isFile(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : ''; },
    async run({ image, channel }, ctx) {
      const path = file(ctx.dirs, image) ?? '';
      let raw;
      try {
        raw = await sharp(readFileSync(path)).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      } catch {
        throw new NodeFailure(`cannot identify image file '${path}'`, 'PIL.UnidentifiedImageError');
      }
      const c = CHANNELS.indexOf(String(channel));
      const offset = c === 0 ? 3 : c - 1;
      const data = Buffer.alloc(raw.info.width * raw.info.height);
      for (let p = 0; p < data.length; p++) {
        const v = raw.data[p * 4 + offset]!;
        data[p] = c === 0 ? 255 - v : v;
      }
      return { outputs: [masks([{ width: raw.info.width, height: raw.info.height, channels: 1, data }])] };
    },
  },
  {
    name: 'VAEEncodeForInpaint',
    displayName: 'VAE Encode (for Inpainting)',
    category: 'latent/inpaint',
    description: '',
    required: { pixels: link('IMAGE'), vae: link('VAE'), mask: link('MASK'), grow_mask_by: int({ default: 6, min: 0, max: 64, step: 1 }) },
    outputs: [{ type: 'LATENT' }],
    async run({ pixels, mask, grow_mask_by }) {
      const batch = pixels as ImageBatch;
      const first = batch.frames[0]!;
      const width = Math.floor(first.width / 8) * 8;
      const height = Math.floor(first.height / 8) * 8;
      if (!width || !height) throw new NodeFailure('Image too small to encode', 'RuntimeError');
      const m = await resizeMask((mask as ImageBatch).frames[0]!, first.width, first.height);
      const [cropped, croppedMask] = [await Promise.all(batch.frames.map((f) => cropTo(f, width, height))), await cropTo(m, width, height)];
      // the masked pixels become neutral grey before encoding, as ComfyUI does
      const source = cropped.map((f) => {
        const data = Buffer.from(f.data);
        for (let p = 0; p < width * height; p++) if (croppedMask.data[p]! >= 128) data.fill(128, p * f.channels, p * f.channels + Math.min(3, f.channels));
        return { ...f, data };
      });
      const noiseMask = growMask(croppedMask, Number(grow_mask_by));
      const latent: Latent = { kind: 'LATENT', width, height, batch: source.length, source, noiseMask };
      return { outputs: [latent] };
    },
  },
  {
    name: 'ImagePadForOutpaint',
    displayName: 'Pad Image for Outpainting',
    category: 'image',
    description: '',
    required: {
      image: link('IMAGE'),
      left: int({ default: 0, min: 0, max: MAX_RESOLUTION, step: 8 }),
      top: int({ default: 0, min: 0, max: MAX_RESOLUTION, step: 8 }),
      right: int({ default: 0, min: 0, max: MAX_RESOLUTION, step: 8 }),
      bottom: int({ default: 0, min: 0, max: MAX_RESOLUTION, step: 8 }),
      feathering: int({ default: 40, min: 0, max: MAX_RESOLUTION, step: 1 }),
    },
    outputs: [{ type: 'IMAGE' }, { type: 'MASK' }],
    async run({ image, left, top, right, bottom, feathering }) {
      const [l, t, r, b, f] = [left, top, right, bottom, feathering].map(Number) as [number, number, number, number, number];
      const frames = (image as ImageBatch).frames;
      const first = frames[0]!;
      const width = first.width + l + r;
      const height = first.height + t + b;
      const padded = frames.map((frame) => {
        const data = Buffer.alloc(width * height * frame.channels, 128);
        for (let y = 0; y < frame.height; y++) frame.data.copy(data, ((y + t) * width + l) * frame.channels, y * frame.width * frame.channels, (y + 1) * frame.width * frame.channels);
        return { width, height, channels: frame.channels, data };
      });
      const mask = Buffer.alloc(width * height, 255);
      const [h, w] = [first.height, first.width];
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          let v = 0;
          if (f > 0 && f * 2 < h && f * 2 < w) {
            const d = Math.min(t !== 0 ? i : h, b !== 0 ? h - i : h, l !== 0 ? j : w, r !== 0 ? w - j : w);
            if (d < f) v = ((f - d) / f) ** 2;
          }
          mask[(i + t) * width + j + l] = Math.round(v * 255);
        }
      }
      return { outputs: [images(padded), masks([{ width, height, channels: 1, data: mask }])] };
    },
  },
  {
    name: 'ImageCompositeMasked',
    displayName: 'ImageCompositeMasked',
    category: 'image',
    description: '',
    pythonModule: 'comfy_extras.nodes_mask',
    required: {
      destination: link('IMAGE'),
      source: link('IMAGE'),
      x: int({ default: 0, min: 0, max: MAX_RESOLUTION, step: 1 }),
      y: int({ default: 0, min: 0, max: MAX_RESOLUTION, step: 1 }),
      resize_source: { type: 'BOOLEAN', config: { default: false } },
    },
    optional: { mask: link('MASK') },
    outputs: [{ type: 'IMAGE' }],
    async run({ destination, source, x, y, resize_source, mask }) {
      const dest = (destination as ImageBatch).frames;
      const src = (source as ImageBatch).frames;
      const out = [];
      for (const [index, d] of dest.entries()) {
        let s = src[Math.min(index, src.length - 1)]!;
        if (resize_source) s = { ...s, data: await sharp(s.data, { raw: { width: s.width, height: s.height, channels: s.channels } }).resize({ width: d.width, height: d.height, fit: 'fill' }).raw().toBuffer(), width: d.width, height: d.height };
        const m = mask ? await resizeMask((mask as ImageBatch).frames[0]!, s.width, s.height) : undefined;
        const data = Buffer.from(d.data);
        const [ox, oy] = [Number(x), Number(y)];
        for (let sy = 0; sy < s.height && sy + oy < d.height; sy++) {
          for (let sx = 0; sx < s.width && sx + ox < d.width; sx++) {
            const weight = m ? m.data[sy * s.width + sx]! / 255 : 1;
            const di = ((sy + oy) * d.width + sx + ox) * d.channels;
            const si = (sy * s.width + sx) * s.channels;
            for (let c = 0; c < Math.min(3, d.channels); c++) data[di + c] = Math.round(s.data[si + Math.min(c, s.channels - 1)]! * weight + data[di + c]! * (1 - weight));
          }
        }
        out.push({ ...d, data });
      }
      return { outputs: [images(out)] };
    },
  },
];

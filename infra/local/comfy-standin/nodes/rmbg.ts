// RMBG from the ComfyUI-RMBG custom node (1038lab, py/AILab_RMBG.py): the same inputs, outputs and options as its
// INPUT_TYPES. No model: the foreground is what differs from the corner colour (the background of a simple picture).
import { gaussianBlur, type Pixels } from '../render/pixels.ts';
import { combo, float, int, link, type InputDef, type NodeClass } from './spec.ts';
import { images, masks, type ImageBatch } from './values.ts';

const MODELS = ['RMBG-2.0', 'INSPYRENET', 'BEN', 'BEN2'];
const TIPS = {
  image: 'Input image to be processed for background removal.',
  model: 'Select the background removal model to use (RMBG-2.0, INSPYRENET, BEN).',
  sensitivity: 'Adjust the strength of mask detection (higher values result in more aggressive detection).',
  process_res: 'Set the processing resolution (higher values require more VRAM and may increase processing time).',
  mask_blur: 'Specify the amount of blur to apply to the mask edges (0 for no blur, higher values for more blur).',
  mask_offset: 'Adjust the mask boundary (positive values expand the mask, negative values shrink it).',
  background: 'Choose output type: Alpha (transparent) or Color (custom background color).',
  background_color: 'Pick background color (supports alpha, use color picker).',
  invert_output: 'Enable to invert both the image and mask output (useful for certain effects).',
  refine_foreground: 'Use Fast Foreground Colour Estimation to optimize transparent background',
};
const boolean = (config: InputDef['config']): InputDef => ({ type: 'BOOLEAN', config });

function foreground(frame: Pixels): Buffer {
  const c = frame.channels;
  const [r0, g0, b0] = [frame.data[0]!, frame.data[1]!, frame.data[2]!];
  const mask = Buffer.alloc(frame.width * frame.height);
  for (let p = 0; p < mask.length; p++) {
    const i = p * c;
    if (Math.abs(frame.data[i]! - r0) + Math.abs(frame.data[i + 1]! - g0) + Math.abs(frame.data[i + 2]! - b0) > 48) mask[p] = 255;
  }
  return mask;
}

/** PIL's MaxFilter(3) / MinFilter(3), `times` times */
function offset(mask: Buffer, width: number, height: number, by: number): Buffer {
  let current = mask;
  for (let n = 0; n < Math.abs(by); n++) {
    const next = Buffer.alloc(current.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = by > 0 ? 0 : 255;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy)), xx = Math.min(width - 1, Math.max(0, x + dx));
          v = by > 0 ? Math.max(v, current[yy * width + xx]!) : Math.min(v, current[yy * width + xx]!);
        }
        next[y * width + x] = v;
      }
    }
    current = next;
  }
  return current;
}

function hexColour(hex: string): [number, number, number, number] {
  const text = hex.replace(/^#/, '');
  if (!/^([0-9a-f]{6}|[0-9a-f]{8})$/i.test(text)) throw new Error('Invalid color format');
  const n = (i: number) => parseInt(text.slice(i, i + 2), 16);
  return [n(0), n(2), n(4), text.length === 8 ? n(6) : 255];
}

export const rmbgNodes: NodeClass[] = [
  {
    name: 'RMBG',
    displayName: 'Remove Background (RMBG)',
    category: '🧪AILab/🧽RMBG',
    description: '',
    pythonModule: 'custom_nodes.ComfyUI-RMBG',
    required: { image: link('IMAGE', TIPS.image), model: combo(MODELS, { tooltip: TIPS.model }) },
    optional: {
      sensitivity: float({ default: 1.0, min: 0.0, max: 1.0, step: 0.01, tooltip: TIPS.sensitivity }),
      process_res: int({ default: 1024, min: 256, max: 2048, step: 128, tooltip: TIPS.process_res }),
      mask_blur: int({ default: 0, min: 0, max: 64, step: 1, tooltip: TIPS.mask_blur }),
      mask_offset: int({ default: 0, min: -64, max: 64, step: 1, tooltip: TIPS.mask_offset }),
      invert_output: boolean({ default: false, tooltip: TIPS.invert_output }),
      refine_foreground: boolean({ default: false, tooltip: TIPS.refine_foreground }),
      background: combo(['Alpha', 'Color'], { default: 'Alpha', tooltip: TIPS.background }),
      background_color: { type: 'COLORCODE', config: { default: '#222222', tooltip: TIPS.background_color } },
    },
    outputs: [{ type: 'IMAGE', name: 'IMAGE' }, { type: 'MASK', name: 'MASK' }, { type: 'IMAGE', name: 'MASK_IMAGE' }],
    async run(inputs, ctx) {
      const frames = (inputs.image as ImageBatch).frames;
      const outImages: Pixels[] = [];
      const outMasks: Pixels[] = [];
      for (const frame of frames) {
        await ctx.step();
        let mask = foreground(frame);
        const blur = Number(inputs.mask_blur ?? 0);
        if (blur > 0) mask = (await gaussianBlur({ width: frame.width, height: frame.height, channels: 1, data: mask }, blur, blur)).data;
        const by = Number(inputs.mask_offset ?? 0);
        if (by) mask = offset(mask, frame.width, frame.height, by);
        if (inputs.invert_output === true) mask = Buffer.from(mask.map((v) => 255 - v));
        const count = frame.width * frame.height;
        if ((inputs.background ?? 'Alpha') === 'Color') {
          const [r, g, b, a] = hexColour(String(inputs.background_color ?? '#222222'));
          const data = Buffer.alloc(count * 3);
          for (let p = 0; p < count; p++) {
            const w = mask[p]! / 255;
            const bg = [r, g, b];
            for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(frame.data[p * frame.channels + c]! * w + bg[c]! * (a / 255) * (1 - w));
          }
          outImages.push({ width: frame.width, height: frame.height, channels: 3, data });
        } else {
          const data = Buffer.alloc(count * 4);
          for (let p = 0; p < count; p++) {
            for (let c = 0; c < 3; c++) data[p * 4 + c] = frame.data[p * frame.channels + c]!;
            data[p * 4 + 3] = mask[p]!;
          }
          outImages.push({ width: frame.width, height: frame.height, channels: 4, data });
        }
        outMasks.push({ width: frame.width, height: frame.height, channels: 1, data: mask });
      }
      const maskImages = outMasks.map((m) => ({ width: m.width, height: m.height, channels: 3 as const, data: Buffer.from(Array.from(m.data).flatMap((v) => [v, v, v])) }));
      return { outputs: [images(outImages), masks(outMasks), images(maskImages)] };
    },
  },
];

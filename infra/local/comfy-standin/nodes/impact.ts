// Face detailing: FaceDetailer from ComfyUI-Impact-Pack (ltdrdata) and the detector it needs,
// UltralyticsDetectorProvider from ComfyUI-Impact-Subpack. The "face" is the middle of the picture, redrawn
// toward a tone from the seed as strongly as the denoise says.
import { createHash } from 'node:crypto';
import type { Pixels } from '../render/pixels.ts';
import { SAMPLERS, SCHEDULERS } from './latent.ts';
import { boolean, combo, float, int, link, MAX_RESOLUTION, string, type NodeClass } from './spec.ts';
import { images, masks, type ImageBatch, type NamedModel } from './values.ts';

const IMPACT_SCHEDULERS = [...SCHEDULERS, 'AYS SDXL', 'AYS SD1', 'AYS SVD', 'GITS[coeff=1.2]'];

function redrawMiddle(frame: Pixels, seed: string, denoise: number): { image: Pixels; mask: Pixels } {
  const [r, g, b] = createHash('sha256').update(`face|${seed}`).digest();
  const tone = [r!, g!, b!];
  const data = Buffer.from(frame.data);
  const mask = Buffer.alloc(frame.width * frame.height);
  const [cx, cy, rx, ry] = [frame.width / 2, frame.height * 0.42, frame.width * 0.16, frame.height * 0.22];
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      if (d > 1) continue;
      const weight = denoise * 0.5 * (1 - d);
      mask[y * frame.width + x] = Math.round(255 * (1 - d));
      for (let c = 0; c < 3; c++) {
        const i = (y * frame.width + x) * frame.channels + c;
        data[i] = Math.round(data[i]! * (1 - weight) + tone[c]! * weight);
      }
    }
  }
  return { image: { ...frame, data }, mask: { width: frame.width, height: frame.height, channels: 1, data: mask } };
}

export const impactNodes: NodeClass[] = [
  {
    name: 'UltralyticsDetectorProvider',
    displayName: 'UltralyticsDetectorProvider',
    category: 'ImpactPack',
    description: '',
    pack: 'ComfyUI-Impact-Subpack',
    pythonModule: 'custom_nodes.ComfyUI-Impact-Subpack',
    required: { model_name: combo((dirs) => [...dirs.modelNames('ultralytics/bbox').map((m) => `bbox/${m}`), ...dirs.modelNames('ultralytics/segm').map((m) => `segm/${m}`)]) },
    outputs: [{ type: 'BBOX_DETECTOR' }, { type: 'SEGM_DETECTOR' }],
    async run({ model_name }) {
      const name = String(model_name);
      return { outputs: [{ kind: 'BBOX_DETECTOR', name } satisfies NamedModel, { kind: 'SEGM_DETECTOR', name } satisfies NamedModel] };
    },
  },
  {
    name: 'FaceDetailer',
    displayName: 'FaceDetailer',
    category: 'ImpactPack/Simple',
    description: '',
    pack: 'ComfyUI-Impact-Pack',
    pythonModule: 'custom_nodes.ComfyUI-Impact-Pack',
    reportsProgress: true,
    required: {
      image: link('IMAGE'),
      model: link('MODEL'),
      clip: link('CLIP'),
      vae: link('VAE'),
      guide_size: float({ default: 512, min: 64, max: MAX_RESOLUTION, step: 8 }),
      guide_size_for: boolean({ default: true, label_on: 'bbox', label_off: 'crop_region' }),
      max_size: float({ default: 1024, min: 64, max: MAX_RESOLUTION, step: 8 }),
      seed: int({ default: 0, min: 0, max: 18446744073709551615n }),
      steps: int({ default: 20, min: 1, max: 10000 }),
      cfg: float({ default: 8.0, min: 0.0, max: 100.0 }),
      sampler_name: combo(SAMPLERS),
      scheduler: combo(IMPACT_SCHEDULERS),
      positive: link('CONDITIONING'),
      negative: link('CONDITIONING'),
      denoise: float({ default: 0.5, min: 0.0001, max: 1.0, step: 0.01 }),
      feather: int({ default: 5, min: 0, max: 100, step: 1 }),
      noise_mask: boolean({ default: true, label_on: 'enabled', label_off: 'disabled' }),
      force_inpaint: boolean({ default: true, label_on: 'enabled', label_off: 'disabled' }),
      bbox_threshold: float({ default: 0.5, min: 0.0, max: 1.0, step: 0.01 }),
      bbox_dilation: int({ default: 10, min: -512, max: 512, step: 1 }),
      bbox_crop_factor: float({ default: 3.0, min: 1.0, max: 10, step: 0.1 }),
      sam_detection_hint: combo(['center-1', 'horizontal-2', 'vertical-2', 'rect-4', 'diamond-4', 'mask-area', 'mask-points', 'mask-point-bbox', 'none']),
      sam_dilation: int({ default: 0, min: -512, max: 512, step: 1 }),
      sam_threshold: float({ default: 0.93, min: 0.0, max: 1.0, step: 0.01 }),
      sam_bbox_expansion: int({ default: 0, min: 0, max: 1000, step: 1 }),
      sam_mask_hint_threshold: float({ default: 0.7, min: 0.0, max: 1.0, step: 0.01 }),
      sam_mask_hint_use_negative: combo(['False', 'Small', 'Outter']),
      drop_size: int({ min: 1, max: MAX_RESOLUTION, step: 1, default: 10 }),
      bbox_detector: link('BBOX_DETECTOR'),
      wildcard: string({ multiline: true, dynamicPrompts: false }),
      cycle: int({ default: 1, min: 1, max: 10, step: 1 }),
    },
    optional: {
      sam_model_opt: link('SAM_MODEL'),
      segm_detector_opt: link('SEGM_DETECTOR'),
      detailer_hook: link('DETAILER_HOOK'),
      inpaint_model: boolean({ default: false, label_on: 'enabled', label_off: 'disabled' }),
      noise_mask_feather: int({ default: 20, min: 0, max: 100, step: 1 }),
      scheduler_func_opt: link('SCHEDULER_FUNC'),
    },
    outputs: [
      { type: 'IMAGE', name: 'image' },
      { type: 'IMAGE', name: 'cropped_refined', isList: true },
      { type: 'IMAGE', name: 'cropped_enhanced_alpha', isList: true },
      { type: 'MASK', name: 'mask' },
      { type: 'DETAILER_PIPE', name: 'detailer_pipe' },
      { type: 'IMAGE', name: 'cnet_images', isList: true },
    ],
    async run(inputs, ctx) {
      const steps = Number(inputs.steps) * Number(inputs.cycle);
      for (let step = 1; step <= steps; step++) {
        await ctx.step();
        await ctx.progress(step, steps);
      }
      const redrawn = (inputs.image as ImageBatch).frames.map((f) => redrawMiddle(f, String(inputs.seed), Number(inputs.denoise)));
      const image = images(redrawn.map((r) => r.image));
      return { outputs: [image, [], [], masks(redrawn.map((r) => r.mask)), { kind: 'DETAILER_PIPE' }, []] };
    },
  },
];

// IP-Adapter: ComfyUI_IPAdapter_plus by cubiq (IPAdapterModelLoader, IPAdapterAdvanced) and ComfyUI's own
// CLIPVisionLoader. The reference image's average colour stands in for its look.
import { combo, float, link, NodeFailure, type NodeClass } from './spec.ts';
import type { ImageBatch, ModelValue, NamedModel } from './values.ts';

const PACK = 'ComfyUI_IPAdapter_plus';
const MODULE = 'custom_nodes.ComfyUI_IPAdapter_plus';
const WEIGHT_TYPES = ['linear', 'ease in', 'ease out', 'ease in-out', 'reverse in-out', 'weak input', 'weak output', 'weak middle', 'strong middle', 'style transfer', 'composition', 'strong style transfer', 'style and composition', 'style transfer precise', 'composition precise'];

function averageColour(image: ImageBatch): [number, number, number] {
  const frame = image.frames[0]!;
  const sums = [0, 0, 0];
  const pixels = frame.width * frame.height;
  for (let i = 0; i < pixels; i++) for (let c = 0; c < 3; c++) sums[c]! += frame.data[i * frame.channels + (frame.channels === 3 ? c : 0)]!;
  return sums.map((s) => Math.round(s / Math.max(1, pixels))) as [number, number, number];
}

export const ipAdapterNodes: NodeClass[] = [
  {
    name: 'CLIPVisionLoader',
    displayName: 'Load CLIP Vision',
    category: 'model/loaders',
    description: '',
    required: { clip_name: combo((dirs) => dirs.modelNames('clip_vision')) },
    outputs: [{ type: 'CLIP_VISION' }],
    async run({ clip_name }) {
      const model: NamedModel = { kind: 'CLIP_VISION', name: String(clip_name) };
      return { outputs: [model] };
    },
  },
  {
    name: 'IPAdapterModelLoader',
    displayName: 'IPAdapter Model Loader',
    category: 'ipadapter/loaders',
    description: '',
    pack: PACK,
    pythonModule: MODULE,
    required: { ipadapter_file: combo((dirs) => dirs.modelNames('ipadapter')) },
    outputs: [{ type: 'IPADAPTER' }],
    async run({ ipadapter_file }) {
      const model: NamedModel = { kind: 'IPADAPTER', name: String(ipadapter_file) };
      return { outputs: [model] };
    },
  },
  {
    name: 'IPAdapterAdvanced',
    displayName: 'IPAdapter Advanced',
    category: 'ipadapter',
    description: '',
    pack: PACK,
    pythonModule: MODULE,
    required: {
      model: link('MODEL'),
      ipadapter: link('IPADAPTER'),
      image: link('IMAGE'),
      weight: float({ default: 1.0, min: -1, max: 5, step: 0.05 }),
      weight_type: combo(WEIGHT_TYPES),
      combine_embeds: combo(['concat', 'add', 'subtract', 'average', 'norm average']),
      start_at: float({ default: 0.0, min: 0.0, max: 1.0, step: 0.001 }),
      end_at: float({ default: 1.0, min: 0.0, max: 1.0, step: 0.001 }),
      embeds_scaling: combo(['V only', 'K+V', 'K+V w/ C penalty', 'K+mean(V) w/ C penalty']),
    },
    optional: { image_negative: link('IMAGE'), attn_mask: link('MASK'), clip_vision: link('CLIP_VISION') },
    outputs: [{ type: 'MODEL' }],
    async run({ model, image, weight, clip_vision }) {
      // as in IPAdapterPlus.py: without a unified loader's pipeline the CLIP vision model must be linked
      if (!clip_vision) throw new NodeFailure('Missing CLIPVision model.');
      const adapted: ModelValue = { ...(model as ModelValue), reference: { tint: averageColour(image as ImageBatch), weight: Number(weight) } };
      return { outputs: [adapted] };
    },
  },
];

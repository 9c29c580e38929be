// ControlNet (ComfyUI's own nodes.py): a model loader and the apply node that attaches it to both conditionings.
import { combo, float, link, type NodeClass } from './spec.ts';
import type { Conditioning, ImageBatch, NamedModel } from './values.ts';

export const controlNetNodes: NodeClass[] = [
  {
    name: 'ControlNetLoader',
    displayName: 'Load ControlNet Model',
    category: 'model/loaders',
    description: '',
    required: { control_net_name: combo((dirs) => dirs.modelNames('controlnet')) },
    outputs: [{ type: 'CONTROL_NET' }],
    async run({ control_net_name }) {
      const model: NamedModel = { kind: 'CONTROL_NET', name: String(control_net_name) };
      return { outputs: [model] };
    },
  },
  {
    name: 'ControlNetApplyAdvanced',
    displayName: 'Apply ControlNet',
    category: 'model/conditioning/controlnet',
    description: '',
    required: {
      positive: link('CONDITIONING'),
      negative: link('CONDITIONING'),
      control_net: link('CONTROL_NET'),
      image: link('IMAGE'),
      strength: float({ default: 1.0, min: 0.0, max: 10.0, step: 0.01 }),
      start_percent: float({ default: 0.0, min: 0.0, max: 1.0, step: 0.001 }),
      end_percent: float({ default: 1.0, min: 0.0, max: 1.0, step: 0.001 }),
    },
    optional: { vae: link('VAE') },
    outputs: [{ type: 'CONDITIONING', name: 'positive' }, { type: 'CONDITIONING', name: 'negative' }],
    async run({ positive, negative, control_net, image, strength }) {
      if (Number(strength) === 0) return { outputs: [positive, negative] };
      const control = { image: (image as ImageBatch).frames[0]!, strength: Number(strength), model: (control_net as NamedModel).name };
      return { outputs: [{ ...(positive as Conditioning), control }, { ...(negative as Conditioning), control }] };
    },
  },
];

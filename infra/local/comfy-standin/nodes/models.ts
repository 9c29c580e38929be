import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inside } from '../paths.ts';
import { combo, float, link, string, type NodeClass } from './spec.ts';
import type { ClipValue, Conditioning, ModelValue, VaeValue } from './values.ts';

/** A LoRA's identity is its name plus a digest of its bytes, so a retrained file renders differently. */
export function loraDigest(dir: string, name: string): string {
  const file = inside(dir, name);
  if (!file) return name;
  try {
    const size = statSync(file).size;
    const head = Buffer.alloc(Math.min(size, 1 << 20));
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    return `${name}#${createHash('sha256').update(head).update(String(size)).digest('hex').slice(0, 16)}`;
  } catch {
    return name;
  }
}

export const modelNodes: NodeClass[] = [
  {
    name: 'CheckpointLoaderSimple',
    displayName: 'Load Checkpoint',
    category: 'loaders',
    description: 'Loads a diffusion model checkpoint, diffusion models are used to denoise latents.',
    required: {
      ckpt_name: combo((dirs) => dirs.checkpointNames(), { tooltip: 'The name of the checkpoint (model) to load.' }),
    },
    outputs: [
      { type: 'MODEL', tooltip: 'The model used for denoising latents.' },
      { type: 'CLIP', tooltip: 'The CLIP model used for encoding text prompts.' },
      { type: 'VAE', tooltip: 'The VAE model used for encoding and decoding images to and from latent space.' },
    ],
    async run({ ckpt_name }) {
      const checkpoint = String(ckpt_name);
      const model: ModelValue = { kind: 'MODEL', checkpoint, loras: [] };
      const clip: ClipValue = { kind: 'CLIP', checkpoint, loras: [] };
      const vae: VaeValue = { kind: 'VAE', checkpoint };
      return { outputs: [model, clip, vae] };
    },
  },
  {
    name: 'LoraLoader',
    displayName: 'Load LoRA',
    category: 'loaders',
    description:
      'LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.',
    required: {
      model: link('MODEL', 'The diffusion model the LoRA will be applied to.'),
      clip: link('CLIP', 'The CLIP model the LoRA will be applied to.'),
      lora_name: combo((dirs) => dirs.loraNames(), { tooltip: 'The name of the LoRA.' }),
      strength_model: float({
        default: 1.0, min: -100.0, max: 100.0, step: 0.01,
        tooltip: 'How strongly to modify the diffusion model. This value can be negative.',
      }),
      strength_clip: float({
        default: 1.0, min: -100.0, max: 100.0, step: 0.01,
        tooltip: 'How strongly to modify the CLIP model. This value can be negative.',
      }),
    },
    outputs: [
      { type: 'MODEL', tooltip: 'The modified diffusion model.' },
      { type: 'CLIP', tooltip: 'The modified CLIP model.' },
    ],
    fingerprint: ({ lora_name }, dirs) => loraDigest(dirs.loras, String(lora_name)),
    async run({ model, clip, lora_name, strength_model, strength_clip }, ctx) {
      const m = model as ModelValue;
      const c = clip as ClipValue;
      if (strength_model === 0 && strength_clip === 0) return { outputs: [m, c] };
      const name = loraDigest(ctx.dirs.loras, String(lora_name));
      return {
        outputs: [
          { ...m, loras: [...m.loras, { name, strength: Number(strength_model) }] },
          { ...c, loras: [...c.loras, { name, strength: Number(strength_clip) }] },
        ],
      };
    },
  },
  {
    name: 'CLIPTextEncode',
    displayName: 'CLIP Text Encode (Prompt)',
    category: 'conditioning',
    description:
      'Encodes a text prompt using a CLIP model into an embedding that can be used to guide the diffusion model towards generating specific images.',
    required: {
      text: string({ multiline: true, dynamicPrompts: true, tooltip: 'The text to be encoded.' }),
      clip: link('CLIP', 'The CLIP model used for encoding the text.'),
    },
    outputs: [{ type: 'CONDITIONING', tooltip: 'A conditioning containing the embedded text used to guide the diffusion model.' }],
    async run({ text, clip }) {
      const conditioning: Conditioning = { kind: 'CONDITIONING', text: String(text), clip: clip as ClipValue };
      return { outputs: [conditioning] };
    },
  },
];

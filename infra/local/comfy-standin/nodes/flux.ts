// The disaggregated loaders FLUX graphs use (nodes.py: UNETLoader, DualCLIPLoader, VAELoader, LoraLoaderModelOnly)
// and FLUX's conditioning and latent nodes (comfy_extras nodes_flux.FluxGuidance, nodes_sd3.EmptySD3LatentImage),
// with the inputs a real ComfyUI's /object_info gives them.
import { combo, float, int, link, MAX_RESOLUTION, type NodeClass } from './spec.ts';
import type { ClipValue, Conditioning, Latent, ModelValue, VaeValue } from './values.ts';
import { loraDigest } from './models.ts';

const CLIP_TYPES = ['sdxl', 'sd3', 'flux', 'hunyuan_video', 'hidream', 'hunyuan_image', 'hunyuan_video_15', 'kandinsky5', 'kandinsky5_image', 'ltxv', 'newbie', 'ace'];

export const fluxNodes: NodeClass[] = [
  {
    name: 'UNETLoader',
    displayName: 'Load Diffusion Model',
    category: 'model/loaders',
    description: '',
    required: {
      unet_name: combo((dirs) => dirs.diffusionModelNames()),
      weight_dtype: combo(['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2'], { advanced: true }),
    },
    outputs: [{ type: 'MODEL' }],
    async run({ unet_name }) {
      const model: ModelValue = { kind: 'MODEL', checkpoint: String(unet_name), loras: [] };
      return { outputs: [model] };
    },
  },
  {
    name: 'DualCLIPLoader',
    displayName: 'Load CLIP (Dual)',
    category: 'model/loaders',
    description: 'Recipes:\nsdxl: clip-l, clip-g\nsd3: clip-l, clip-g / clip-l, t5 / clip-g, t5\nflux: clip-l, t5\nhidream: at least one of t5 or llama, recommended t5 and llama\nhunyuan_image: qwen2.5vl 7b and byt5 small\nnewbie: gemma-3-4b-it, jina clip v2',
    required: {
      clip_name1: combo((dirs) => dirs.textEncoderNames()),
      clip_name2: combo((dirs) => dirs.textEncoderNames()),
      type: combo(CLIP_TYPES),
    },
    optional: { device: combo(['default', 'cpu'], { advanced: true }) },
    outputs: [{ type: 'CLIP' }],
    async run({ clip_name1, clip_name2, type }) {
      const clip: ClipValue = { kind: 'CLIP', checkpoint: `${clip_name1}+${clip_name2}/${type}`, loras: [] };
      return { outputs: [clip] };
    },
  },
  {
    name: 'VAELoader',
    displayName: 'Load VAE',
    category: 'model/loaders',
    description: '',
    required: { vae_name: combo((dirs) => dirs.vaeNames()) },
    outputs: [{ type: 'VAE' }],
    async run({ vae_name }) {
      const vae: VaeValue = { kind: 'VAE', checkpoint: String(vae_name) };
      return { outputs: [vae] };
    },
  },
  {
    name: 'LoraLoaderModelOnly',
    displayName: 'Load LoRA',
    category: 'model/loaders',
    description: 'This LoRAs loader is used to modify the diffusion model, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.',
    required: {
      model: link('MODEL'),
      lora_name: combo((dirs) => dirs.loraNames()),
      strength_model: float({ default: 1.0, min: -100.0, max: 100.0, step: 0.01 }),
    },
    outputs: [{ type: 'MODEL' }],
    fingerprint: ({ lora_name }, dirs) => loraDigest(dirs.loras, String(lora_name)),
    async run({ model, lora_name, strength_model }, ctx) {
      const m = model as ModelValue;
      if (strength_model === 0) return { outputs: [m] };
      return { outputs: [{ ...m, loras: [...m.loras, { name: loraDigest(ctx.dirs.loras, String(lora_name)), strength: Number(strength_model) }] }] };
    },
  },
  {
    name: 'FluxGuidance',
    displayName: 'FluxGuidance',
    category: 'model/conditioning/flux',
    description: '',
    pythonModule: 'comfy_extras.nodes_flux',
    required: { conditioning: link('CONDITIONING'), guidance: float({ default: 3.5, min: 0.0, max: 100.0, step: 0.1 }) },
    outputs: [{ type: 'CONDITIONING' }],
    async run({ conditioning, guidance }) {
      const c = conditioning as Conditioning;
      return { outputs: [{ ...c, text: `${c.text}|guidance=${guidance}` }] };
    },
  },
  {
    name: 'EmptySD3LatentImage',
    displayName: 'EmptySD3LatentImage',
    category: 'model/latent/stable diffusion',
    description: '',
    pythonModule: 'comfy_extras.nodes_sd3',
    required: {
      width: int({ default: 1024, min: 16, max: MAX_RESOLUTION, step: 16 }),
      height: int({ default: 1024, min: 16, max: MAX_RESOLUTION, step: 16 }),
      batch_size: int({ default: 1, min: 1, max: 4096 }),
    },
    outputs: [{ type: 'LATENT' }],
    async run({ width, height, batch_size }) {
      const latent: Latent = { kind: 'LATENT', width: Number(width), height: Number(height), batch: Number(batch_size) };
      return { outputs: [latent] };
    },
  },
];

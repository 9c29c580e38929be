import { renderArt, type ArtRecipe } from '../render/art.ts';
import { blend, cropTo, scale, solid, type Pixels } from '../render/pixels.ts';
import { combo, float, int, link, MAX_RESOLUTION, NodeFailure, type NodeClass } from './spec.ts';
import { images, type Conditioning, type ImageBatch, type Latent, type ModelValue } from './values.ts';

export const SAMPLERS = [
  'euler', 'euler_cfg_pp', 'euler_ancestral', 'euler_ancestral_cfg_pp', 'heun', 'heunpp2', 'dpm_2', 'dpm_2_ancestral',
  'lms', 'dpm_fast', 'dpm_adaptive', 'dpmpp_2s_ancestral', 'dpmpp_2s_ancestral_cfg_pp', 'dpmpp_sde', 'dpmpp_sde_gpu',
  'dpmpp_2m', 'dpmpp_2m_cfg_pp', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu', 'dpmpp_3m_sde', 'dpmpp_3m_sde_gpu', 'ddpm', 'lcm',
  'ipndm', 'ipndm_v', 'deis', 'res_multistep', 'res_multistep_cfg_pp', 'gradient_estimation', 'er_sde', 'ddim', 'uni_pc',
  'uni_pc_bh2',
];
export const SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform', 'beta', 'linear_quadratic', 'kl_optimal'];

const MAX_PIXELS = 1 << 26;
const OOM_TIPS = 'Allocation on device';

/** What a GPU would do with a batch far too large: run out of memory. */
export function guardMemory(width: number, height: number, batch: number): void {
  if (width * height * batch > MAX_PIXELS) throw new NodeFailure(OOM_TIPS, 'torch.OutOfMemoryError');
}

const UNSAMPLED: [number, number, number] = [120, 113, 105];

/** inpainting: the sampled pixels inside the noise mask, the encoded source outside it */
function keepOutside(source: Pixels, painted: Pixels, mask: Pixels): Pixels {
  const data = Buffer.from(source.data);
  for (let p = 0; p < mask.width * mask.height; p++) if (mask.data[p]! >= 128) painted.data.copy(data, p * source.channels, p * painted.channels, p * painted.channels + Math.min(source.channels, painted.channels));
  return { ...source, data };
}

export const latentNodes: NodeClass[] = [
  {
    name: 'EmptyLatentImage',
    displayName: 'Empty Latent Image',
    category: 'latent',
    description: 'Create a new batch of empty latent images to be denoised via sampling.',
    required: {
      width: int({ default: 512, min: 16, max: MAX_RESOLUTION, step: 8, tooltip: 'The width of the latent images in pixels.' }),
      height: int({ default: 512, min: 16, max: MAX_RESOLUTION, step: 8, tooltip: 'The height of the latent images in pixels.' }),
      batch_size: int({ default: 1, min: 1, max: 4096, tooltip: 'The number of latent images in the batch.' }),
    },
    outputs: [{ type: 'LATENT', tooltip: 'The empty latent image batch.' }],
    async run({ width, height, batch_size }) {
      const latent: Latent = { kind: 'LATENT', width: Number(width), height: Number(height), batch: Number(batch_size) };
      return { outputs: [latent] };
    },
  },
  {
    name: 'KSampler',
    displayName: 'KSampler',
    category: 'sampling',
    description: 'Uses the provided model, positive and negative conditioning to denoise the latent image.',
    reportsProgress: true,
    required: {
      model: link('MODEL', 'The model used for denoising the input latent.'),
      seed: int({
        default: 0, min: 0, max: 18446744073709551615n, control_after_generate: true,
        tooltip: 'The random seed used for creating the noise.',
      }),
      steps: int({ default: 20, min: 1, max: 10000, tooltip: 'The number of steps used in the denoising process.' }),
      cfg: float({
        default: 8.0, min: 0.0, max: 100.0, step: 0.1, round: 0.01,
        tooltip:
          'The Classifier-Free Guidance scale balances creativity and adherence to the prompt. Higher values result in images more closely matching the prompt however too high values will negatively impact quality.',
      }),
      sampler_name: combo(SAMPLERS, {
        tooltip: 'The algorithm used when sampling, this can affect the quality, speed, and style of the generated output.',
      }),
      scheduler: combo(SCHEDULERS, { tooltip: 'The scheduler controls how noise is gradually removed to form the image.' }),
      positive: link('CONDITIONING', 'The conditioning describing the attributes you want to include in the image.'),
      negative: link('CONDITIONING', 'The conditioning describing the attributes you want to exclude from the image.'),
      latent_image: link('LATENT', 'The latent image to denoise.'),
      denoise: float({
        default: 1.0, min: 0.0, max: 1.0, step: 0.01,
        tooltip:
          'The amount of denoising applied, lower values will maintain the structure of the initial image allowing for image to image sampling.',
      }),
    },
    outputs: [{ type: 'LATENT', tooltip: 'The denoised latent.' }],
    async run(inputs, ctx) {
      const latent = inputs.latent_image as Latent;
      const model = inputs.model as ModelValue;
      const positive = inputs.positive as Conditioning;
      const negative = inputs.negative as Conditioning;
      const steps = Number(inputs.steps);
      guardMemory(latent.width, latent.height, latent.batch);
      for (let step = 1; step <= steps; step++) {
        await ctx.step();
        await ctx.progress(step, steps);
      }
      const clipLoras = positive.clip.loras.map((l) => `${l.name}@${l.strength}`).join(',');
      const art: ArtRecipe = {
        seed: String(inputs.seed),
        positive: clipLoras ? `${positive.text}|${clipLoras}` : positive.text,
        negative: negative.text,
        checkpoint: model.checkpoint,
        loras: model.loras,
        sampler: `${inputs.sampler_name}/${inputs.scheduler}`,
        cfg: Number(inputs.cfg),
        steps,
        ...(model.reference ? { tint: { rgb: model.reference.tint, weight: model.reference.weight } } : {}),
      };
      const control = positive.control ? { image: positive.control.image, strength: positive.control.strength } : undefined;
      const sampled: Latent = { ...latent, art, denoise: Number(inputs.denoise), ...(control ? { control } : {}) };
      return { outputs: [sampled] };
    },
  },
  {
    name: 'VAEDecode',
    displayName: 'VAE Decode',
    category: 'latent',
    description: 'Decodes latent images back into pixel space images.',
    required: {
      samples: link('LATENT', 'The latent to be decoded.'),
      vae: link('VAE', 'The VAE model used for decoding the latent.'),
    },
    outputs: [{ type: 'IMAGE', tooltip: 'The decoded image.' }],
    async run({ samples }) {
      const latent = samples as Latent;
      const width = Math.floor(latent.width / 8) * 8;
      const height = Math.floor(latent.height / 8) * 8;
      guardMemory(width, height, latent.batch);
      const frames = [];
      for (let i = 0; i < latent.batch; i++) {
        const source = latent.source?.[i];
        if (!latent.art) frames.push(source ?? solid(width, height, UNSAMPLED));
        else {
          let art = await renderArt(latent.art, i, width, height);
          // a ControlNet: the control image's structure shows through, as strongly as its strength
          if (latent.control) art = blend(await scale(latent.control.image, width, height, 'bilinear', false), art, 1 - Math.min(0.6, latent.control.strength * 0.4));
          const denoise = latent.denoise ?? 1;
          const painted = source && denoise < 1 ? blend(source, art, denoise) : art;
          frames.push(source && latent.noiseMask ? keepOutside(source, painted, latent.noiseMask) : painted);
        }
      }
      return { outputs: [images(frames)] };
    },
  },
  {
    name: 'VAEEncode',
    displayName: 'VAE Encode',
    category: 'latent',
    description: '',
    required: { pixels: link('IMAGE'), vae: link('VAE') },
    outputs: [{ type: 'LATENT' }],
    async run({ pixels }) {
      const batch = pixels as ImageBatch;
      const first = batch.frames[0];
      const width = Math.floor(first.width / 8) * 8;
      const height = Math.floor(first.height / 8) * 8;
      if (width === 0 || height === 0) throw new NodeFailure('Image too small to encode', 'RuntimeError');
      const source = await Promise.all(batch.frames.map((f) => cropTo(f, width, height)));
      const latent: Latent = { kind: 'LATENT', width, height, batch: source.length, source };
      return { outputs: [latent] };
    },
  },
];

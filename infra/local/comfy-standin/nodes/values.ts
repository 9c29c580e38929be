import type { ArtRecipe } from '../render/art.ts';
import type { Pixels } from '../render/pixels.ts';
import { pyRepr } from '../json.ts';

// What flows along the links of a running graph. Models are only names: the "weights" are the art recipe.

export interface LoraUse {
  name: string;
  strength: number;
}

export interface ModelValue {
  kind: 'MODEL';
  checkpoint: string;
  loras: LoraUse[];
  /** set by an IP-Adapter: the look of a reference image carried into the picture */
  reference?: { tint: [number, number, number]; weight: number };
}

export interface ClipValue {
  kind: 'CLIP';
  checkpoint: string;
  loras: LoraUse[];
}

export interface VaeValue {
  kind: 'VAE';
  checkpoint: string;
}

export interface Conditioning {
  kind: 'CONDITIONING';
  text: string;
  clip: ClipValue;
  /** set by ControlNetApplyAdvanced: the picture follows this image's structure */
  control?: { image: Pixels; strength: number; model: string };
}

/** Loaded models of the optional parts: names only, as every other model here. */
export interface NamedModel {
  kind: 'CONTROL_NET' | 'UPSCALE_MODEL' | 'IPADAPTER' | 'CLIP_VISION' | 'BBOX_DETECTOR' | 'SEGM_DETECTOR';
  name: string;
}

export interface Latent {
  kind: 'LATENT';
  width: number;
  height: number;
  batch: number;
  /** set by a sampler */
  art?: ArtRecipe;
  denoise?: number;
  /** set by VAEEncode */
  source?: Pixels[];
  /** set by a sampler from a ControlNet conditioning */
  control?: { image: Pixels; strength: number };
  /** set by VAEEncodeForInpaint: where the sampler paints (255), the rest keeps the source */
  noiseMask?: Pixels;
}

export interface ImageBatch {
  kind: 'IMAGE' | 'MASK';
  frames: Pixels[];
}

export const images = (frames: Pixels[]): ImageBatch => ({ kind: 'IMAGE', frames });
export const masks = (frames: Pixels[]): ImageBatch => ({ kind: 'MASK', frames });

/** ComfyUI's format_value for execution_error.current_inputs: plain values as they are, objects as str(). */
export function formatValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (['number', 'string', 'boolean'].includes(typeof value)) return value;
  const v = value as { kind?: string };
  switch (v.kind) {
    case 'MODEL':
      return '<comfy.model_patcher.ModelPatcher object>';
    case 'CLIP':
      return '<comfy.sd.CLIP object>';
    case 'VAE':
      return '<comfy.sd.VAE object>';
    case 'CONDITIONING':
      return `[[tensor(…), {'pooled_output': tensor(…)}]]`;
    case 'CONTROL_NET':
      return '<comfy.controlnet.ControlNet object>';
    case 'UPSCALE_MODEL':
      return '<spandrel.ImageModelDescriptor object>';
    case 'IPADAPTER':
      return `{'ipadapter': {...}, 'image_proj': {...}}`;
    case 'CLIP_VISION':
      return '<comfy.clip_vision.ClipVisionModel object>';
    case 'BBOX_DETECTOR':
    case 'SEGM_DETECTOR':
      return '<subcore.UltraBBoxDetector object>';
    case 'LATENT': {
      const l = value as Latent;
      return `{'samples': tensor(shape=[${l.batch}, 4, ${Math.floor(l.height / 8)}, ${Math.floor(l.width / 8)}])}`;
    }
    case 'IMAGE':
    case 'MASK': {
      const b = value as ImageBatch;
      const f = b.frames[0];
      const shape = f ? (b.kind === 'IMAGE' ? [b.frames.length, f.height, f.width, 3] : [b.frames.length, f.height, f.width]) : [0];
      return `tensor(shape=[${shape.join(', ')}])`;
    }
    default:
      return pyRepr(value);
  }
}

import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export type FolderType = 'input' | 'output' | 'temp';

export const BUILTIN_CHECKPOINT = 'atelier-demo-sdxl.safetensors';
/** the demo server "has" the files the built-in FLUX templates name (no weights: images are drawn) */
export const BUILTIN_DIFFUSION_MODELS = ['flux1-dev.safetensors', 'flux1-schnell.safetensors'];
export const BUILTIN_TEXT_ENCODERS = ['clip_l.safetensors', 't5xxl_fp16.safetensors'];
export const BUILTIN_VAES = ['ae.safetensors'];
/** the pixel-art LoRA the sprites pipeline's styles use, always present like the built-in checkpoint */
export const BUILTIN_LORA = 'pixel-art-xl.safetensors';
/** model folders of the optional parts (ControlNet, upscale, IP-Adapter, face detector), each with a demo model */
export const MODEL_FOLDERS = {
  controlnet: 'atelier-demo-controlnet.safetensors',
  upscale_models: 'atelier-demo-2x.pth',
  ipadapter: 'atelier-demo-ip-adapter.safetensors',
  clip_vision: 'atelier-demo-clip-vision.safetensors',
  'ultralytics/bbox': 'atelier-demo-face.pt',
  'ultralytics/segm': undefined,
} as const;
export type ModelFolder = keyof typeof MODEL_FOLDERS;
const MODEL_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft'];
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif'];

/** The ComfyUI folder layout under the stand-in's data directory. */
export class DataDirs {
  readonly input: string;
  readonly output: string;
  readonly temp: string;
  readonly checkpoints: string;
  readonly loras: string;
  readonly diffusionModels: string;
  readonly textEncoders: string;
  readonly vae: string;
  readonly eventsFile: string;

  constructor(readonly root: string) {
    this.input = path.join(root, 'input');
    this.output = path.join(root, 'output');
    this.temp = path.join(root, 'temp');
    this.checkpoints = path.join(root, 'models', 'checkpoints');
    this.loras = path.join(root, 'models', 'loras');
    this.diffusionModels = path.join(root, 'models', 'diffusion_models');
    this.textEncoders = path.join(root, 'models', 'text_encoders');
    this.vae = path.join(root, 'models', 'vae');
    this.eventsFile = path.join(root, 'standin-events.jsonl');
    for (const dir of [this.input, this.output, this.temp, this.checkpoints, this.loras, this.diffusionModels, this.textEncoders, this.vae]) mkdirSync(dir, { recursive: true });
    for (const folder of Object.keys(MODEL_FOLDERS)) mkdirSync(path.join(root, 'models', folder), { recursive: true });
  }

  folder(type: string): string | undefined {
    if (type === 'input' || type === 'output' || type === 'temp') return this[type];
    return undefined;
  }

  checkpointNames(): string[] {
    return [...new Set([...listFiles(this.checkpoints, MODEL_EXTENSIONS), BUILTIN_CHECKPOINT])].sort();
  }

  diffusionModelNames(): string[] {
    return [...new Set([...listFiles(this.diffusionModels, MODEL_EXTENSIONS), ...BUILTIN_DIFFUSION_MODELS])].sort();
  }

  textEncoderNames(): string[] {
    return [...new Set([...listFiles(this.textEncoders, MODEL_EXTENSIONS), ...BUILTIN_TEXT_ENCODERS])].sort();
  }

  /** ComfyUI's VAELoader lists its vae folder, then "pixel_space" */
  vaeNames(): string[] {
    return [...[...new Set([...listFiles(this.vae, MODEL_EXTENSIONS), ...BUILTIN_VAES])].sort(), 'pixel_space'];
  }

  /** Re-read on every call: other parts of Atelier drop LoRAs in while the stand-in runs. */
  loraNames(): string[] {
    return [...new Set([...listFiles(this.loras, MODEL_EXTENSIONS), BUILTIN_LORA])].sort();
  }

  /** The files of a model folder, plus its demo model (there are no weights: names are all a node needs). */
  modelNames(folder: ModelFolder): string[] {
    const demo = MODEL_FOLDERS[folder];
    return [...new Set([...listFiles(path.join(this.root, 'models', folder), MODEL_EXTENSIONS), ...(demo ? [demo] : [])])].sort();
  }

  inputImageNames(): string[] {
    return listFiles(this.input, IMAGE_EXTENSIONS, false).sort();
  }

  /** "name.png [output]" → the file, ComfyUI's annotated file path; undefined when it would leave the folder. */
  annotated(name: string, defaultType: FolderType): string | undefined {
    const match = /^(.*) \[(input|output|temp)\]$/.exec(name);
    const [file, type] = match ? [match[1], match[2] as FolderType] : [name, defaultType];
    return inside(this[type], file);
  }
}

/** The resolved path when `relative` stays within `base`, else undefined. */
export function inside(base: string, ...relative: string[]): string | undefined {
  const resolved = path.resolve(base, ...relative);
  const root = path.resolve(base);
  return resolved === root || resolved.startsWith(root + path.sep) ? resolved : undefined;
}

export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function listFiles(dir: string, extensions: string[], recursive = true): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory() && recursive) walk(rel);
      else if (entry.isFile() && extensions.includes(path.extname(entry.name).toLowerCase())) out.push(rel);
    }
  };
  walk('');
  return out;
}

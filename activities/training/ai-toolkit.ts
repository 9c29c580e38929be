// AI-Toolkit (ostris/ai-toolkit): `python run.py <config.json>`. The config is its job config (job: extension, an
// sd_trainer process); it finds the newest checkpoint in <training_folder>/<name>/ by itself and reads the step from
// its metadata. Checkpoints `<name>_<9-digit step>.safetensors`, the final `<name>.safetensors`, `optimizer.pt`
// beside them, samples `samples/<ms time>__<9-digit step>_<n>.<ext>`.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Checkpoint, TrainerBackend, TrainingRun } from './backend.ts';
import { aiToolkitParser } from './progress.ts';

const saveRoot = (run: TrainingRun) => path.join(run.outputDir, run.name);
const isFlow = (arch: string) => arch.startsWith('flux') || arch === 'demo';

export function aiToolkitConfig(run: TrainingRun): Record<string, unknown> {
  const s = run.settings;
  const scheduler = isFlow(run.arch) ? 'flowmatch' : 'ddpm';
  return {
    job: 'extension',
    config: {
      name: run.name,
      process: [{
        type: 'sd_trainer',
        training_folder: run.outputDir,
        device: run.demo ? 'cpu' : 'cuda:0',
        trigger_word: run.triggerWord,
        network: { type: 'lora', linear: s.rank, linear_alpha: s.alpha },
        save: { dtype: 'float16', save_every: s.saveEvery, max_step_saves_to_keep: 4, push_to_hub: false },
        datasets: [{ folder_path: run.datasetDir, caption_ext: 'txt', caption_dropout_rate: 0.05, shuffle_tokens: false, cache_latents_to_disk: true, resolution: [s.resolution] }],
        train: {
          batch_size: s.batchSize, steps: s.steps, gradient_accumulation_steps: 1, train_unet: true, train_text_encoder: false,
          gradient_checkpointing: !run.demo, noise_scheduler: scheduler, optimizer: s.optimizer, lr: s.learningRate, lr_scheduler: s.scheduler,
          dtype: s.precision, disable_sampling: s.sampleEvery === 0,
        },
        model: { name_or_path: run.baseModel, arch: run.arch, quantize: run.arch.startsWith('flux') },
        sample: {
          sampler: scheduler, sample_every: s.sampleEvery || s.steps, width: s.resolution, height: s.resolution,
          prompts: run.samplePrompts, neg: '', seed: 42, walk_seed: true, guidance_scale: 4, sample_steps: run.demo ? 6 : 20,
        },
      }],
    },
    meta: { name: '[name]', version: '1.0', created_by: 'atelier' },
  };
}

export const aiToolkitBackend: TrainerBackend = {
  name: 'ai-toolkit',
  async prepare(run) {
    const configFile = path.join(run.jobDir, 'config.json');
    await fs.mkdir(run.jobDir, { recursive: true });
    await fs.writeFile(configFile, JSON.stringify(aiToolkitConfig(run), null, 2));
    return [configFile];
  },
  checkpointDir: saveRoot,
  async checkpoints(run) {
    const root = saveRoot(run);
    const files = await fs.readdir(root).catch(() => [] as string[]);
    const optimizer = files.includes('optimizer.pt') ? [path.join(root, 'optimizer.pt')] : [];
    const found: Checkpoint[] = [];
    for (const file of files) {
      const match = file.startsWith(`${run.name}_`) ? /^_(\d{9})\.safetensors$/.exec(file.slice(run.name.length)) : null;
      if (match) found.push({ step: Number(match[1]), file: path.join(root, file), final: false, state: [] });
      else if (file === `${run.name}.safetensors`) found.push({ step: run.settings.steps, file: path.join(root, file), final: true, state: [] });
    }
    found.sort((a, b) => a.step - b.step || Number(a.final) - Number(b.final));
    // one optimizer.pt, written with the newest save: it belongs to that one
    if (found.length) found.at(-1)!.state = optimizer;
    return found;
  },
  samplesDir: (run) => path.join(saveRoot(run), 'samples'),
  sampleOf(fileName) {
    const match = /^\d+__(\d{9})_(\d+)\.(jpg|jpeg|png|webp)$/.exec(fileName);
    return match ? { step: Number(match[1]), index: Number(match[2]) } : undefined;
  },
  parser: (run) => aiToolkitParser(run.name),
};

// kohya sd-scripts: `accelerate launch … train_network.py` (or sdxl_/flux_train_network.py, as the configured
// command says) with its arguments, a dataset config (TOML) and a prompts file. Checkpoints
// `<name>-step<8-digit step>.safetensors` with `--save_state` folders `<name>-step<8-digit step>-state` (resumed
// with `--resume`), the final `<name>.safetensors`, samples `sample/<name>_<6-digit step>_<nn>_<time>_<seed>.png`.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Checkpoint, TrainerBackend, TrainingRun } from './backend.ts';
import { kohyaParser } from './progress.ts';

const OPTIMIZER_TYPES: Record<string, string> = { adamw8bit: 'AdamW8bit', adamw: 'AdamW', prodigy: 'Prodigy', adafactor: 'Adafactor' };
const MIXED_PRECISION: Record<string, string> = { bf16: 'bf16', fp16: 'fp16', fp32: 'no' };
const tomlString = (value: string) => JSON.stringify(value);

export function kohyaDatasetToml(run: TrainingRun): string {
  return [
    '[general]', 'caption_extension = ".txt"', 'shuffle_caption = false', 'keep_tokens = 1', '',
    '[[datasets]]', `resolution = ${run.settings.resolution}`, `batch_size = ${run.settings.batchSize}`, 'enable_bucket = true', '',
    '  [[datasets.subsets]]', `  image_dir = ${tomlString(run.datasetDir)}`, '  num_repeats = 1', '',
  ].join('\n');
}

/** kohya's prompt file: one prompt a line with its options (--w --h --s --d --l) */
export const kohyaPrompts = (run: TrainingRun) => run.samplePrompts
  .map((prompt, i) => `${prompt.replaceAll('[trigger]', run.triggerWord)} --w ${run.settings.resolution} --h ${run.settings.resolution} --s 20 --d ${42 + i} --l 4`).join('\n') + '\n';

export function kohyaArgs(run: TrainingRun, files: { datasetConfig: string; prompts: string }, resumeFrom?: Checkpoint): string[] {
  const s = run.settings;
  const args = [
    '--pretrained_model_name_or_path', run.baseModel,
    '--dataset_config', files.datasetConfig,
    '--output_dir', run.outputDir, '--output_name', run.name, '--save_model_as', 'safetensors',
    '--network_module', run.arch.startsWith('flux') ? 'networks.lora_flux' : 'networks.lora',
    '--network_dim', String(s.rank), '--network_alpha', String(s.alpha),
    '--learning_rate', String(s.learningRate), '--optimizer_type', OPTIMIZER_TYPES[s.optimizer] ?? 'AdamW8bit', '--lr_scheduler', s.scheduler,
    '--max_train_steps', String(s.steps), '--mixed_precision', MIXED_PRECISION[s.precision] ?? 'bf16', '--save_precision', 'fp16',
    '--save_every_n_steps', String(s.saveEvery), '--save_state', '--save_last_n_steps', String(s.saveEvery * 4),
    '--caption_extension', '.txt', '--cache_latents', '--gradient_checkpointing', '--seed', '42',
  ];
  if (s.sampleEvery) args.push('--sample_every_n_steps', String(s.sampleEvery), '--sample_prompts', files.prompts, '--sample_sampler', 'euler_a');
  const stateDir = resumeFrom?.state.find((p) => p.endsWith('-state'));
  if (stateDir) args.push('--resume', stateDir);
  return args;
}

export const kohyaBackend: TrainerBackend = {
  name: 'kohya',
  async prepare(run, resumeFrom) {
    await fs.mkdir(run.jobDir, { recursive: true });
    const files = { datasetConfig: path.join(run.jobDir, 'dataset.toml'), prompts: path.join(run.jobDir, 'prompts.txt') };
    await fs.writeFile(files.datasetConfig, kohyaDatasetToml(run));
    await fs.writeFile(files.prompts, kohyaPrompts(run));
    return kohyaArgs(run, files, resumeFrom);
  },
  checkpointDir: (run) => run.outputDir,
  async checkpoints(run) {
    const entries = await fs.readdir(run.outputDir).catch(() => [] as string[]);
    const found: Checkpoint[] = [];
    for (const entry of entries) {
      const match = entry.startsWith(`${run.name}-step`) ? /^-step(\d{8})\.safetensors$/.exec(entry.slice(run.name.length)) : null;
      if (match) {
        const state = `${run.name}-step${match[1]}-state`;
        found.push({ step: Number(match[1]), file: path.join(run.outputDir, entry), final: false, state: entries.includes(state) ? [path.join(run.outputDir, state)] : [] });
      } else if (entry === `${run.name}.safetensors`) found.push({ step: run.settings.steps, file: path.join(run.outputDir, entry), final: true, state: [] });
    }
    return found.sort((a, b) => a.step - b.step || Number(a.final) - Number(b.final));
  },
  samplesDir: (run) => path.join(run.outputDir, 'sample'),
  sampleOf(fileName) {
    const match = /_(\d{6})_(\d{2})_\d{14}(?:_\d+)?\.png$/.exec(fileName);
    return match ? { step: Number(match[1]), index: Number(match[2]) } : undefined;
  },
  parser: (run) => kohyaParser(run.settings.steps),
};

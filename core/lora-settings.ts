// Training settings for a LoRA: the presets, the advanced settings a person may change, and what a job keeps of
// them. Plain data and zod: the API, the CLI, the UI's types and the workflow's first activity share it.
import { z } from 'zod';

export const PRESETS = {
  quick: { label: 'Quick', steps: 500, rank: 8, alpha: 8, learningRate: 2e-4, resolution: 512, help: 'A first look: fast, fewer details.' },
  balanced: { label: 'Balanced', steps: 1500, rank: 16, alpha: 16, learningRate: 1e-4, resolution: 768, help: 'Good likeness for most characters.' },
  high: { label: 'High quality', steps: 3000, rank: 32, alpha: 32, learningRate: 1e-4, resolution: 1024, help: 'The most detail; takes the longest.' },
} as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export const OPTIMIZERS = ['adamw8bit', 'adamw', 'prodigy', 'adafactor'] as const;
export const SCHEDULERS = ['constant', 'cosine', 'linear', 'constant_with_warmup'] as const;
export const PRECISIONS = ['bf16', 'fp16', 'fp32'] as const;

export interface TrainingSettings {
  preset: PresetName;
  steps: number;
  rank: number;
  alpha: number;
  learningRate: number;
  resolution: number;
  optimizer: (typeof OPTIMIZERS)[number];
  scheduler: (typeof SCHEDULERS)[number];
  precision: (typeof PRECISIONS)[number];
  batchSize: number;
  /** a checkpoint every this many steps */
  saveEvery: number;
  /** the trainer's own samples every this many steps (0: none during training) */
  sampleEvery: number;
}

const whole = (name: string, min: number, max: number) =>
  z.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);

export const advancedSchema = z.object({
  steps: whole('steps', 10, 100_000),
  rank: whole('rank', 1, 256),
  alpha: z.number({ error: 'alpha must be a number' }).min(0.1, 'alpha must be at least 0.1').max(512, 'alpha must be at most 512'),
  learningRate: z.number({ error: 'learningRate must be a number' }).gt(0, 'learningRate must be above 0').max(0.1, 'learningRate must be at most 0.1'),
  resolution: whole('resolution', 256, 2048).refine((v) => v % 64 === 0, 'resolution must be a multiple of 64'),
  optimizer: z.enum(OPTIMIZERS, { error: `optimizer must be one of ${OPTIMIZERS.join(', ')}` }),
  scheduler: z.enum(SCHEDULERS, { error: `scheduler must be one of ${SCHEDULERS.join(', ')}` }),
  precision: z.enum(PRECISIONS, { error: `precision must be one of ${PRECISIONS.join(', ')}` }),
  batchSize: whole('batchSize', 1, 16),
  saveEvery: whole('saveEvery', 5, 100_000),
  sampleEvery: whole('sampleEvery', 0, 100_000),
}).partial().strict();
export type AdvancedSettings = z.infer<typeof advancedSchema>;

export const presetSchema = z.enum(PRESET_NAMES as [PresetName, ...PresetName[]], {
  error: (issue) => typeof issue.input === 'string' ? `unknown preset "${issue.input}": choose one of ${PRESET_NAMES.join(', ')}` : `preset must be one of ${PRESET_NAMES.join(', ')}`,
});

/** a checkpoint about every eighth of the run, on a round number */
function cadence(steps: number, parts: number): number {
  const raw = steps / parts;
  const round = raw >= 100 ? 50 : raw >= 20 ? 10 : 5;
  return Math.max(5, Math.round(raw / round) * round);
}

export function resolveSettings(preset: PresetName, advanced: AdvancedSettings = {}): TrainingSettings {
  const base = PRESETS[preset];
  const steps = advanced.steps ?? base.steps;
  const rank = advanced.rank ?? base.rank;
  return {
    preset, steps, rank,
    alpha: advanced.alpha ?? (advanced.rank !== undefined ? rank : base.alpha),
    learningRate: advanced.learningRate ?? base.learningRate,
    resolution: advanced.resolution ?? base.resolution,
    optimizer: advanced.optimizer ?? 'adamw8bit',
    scheduler: advanced.scheduler ?? 'constant',
    precision: advanced.precision ?? 'bf16',
    batchSize: advanced.batchSize ?? 1,
    saveEvery: Math.min(advanced.saveEvery ?? cadence(steps, 8), steps),
    sampleEvery: Math.min(advanced.sampleEvery ?? cadence(steps, 2), steps),
  };
}

export function describeSettings(s: TrainingSettings): string {
  return `${PRESETS[s.preset].label}: ${s.steps} steps, rank ${s.rank} (alpha ${s.alpha}), learning rate ${s.learningRate} at ${s.resolution} px; `
    + `${s.optimizer}, ${s.scheduler} schedule, ${s.precision}, batch ${s.batchSize}; a checkpoint every ${s.saveEvery} steps, `
    + (s.sampleEvery ? `samples every ${s.sampleEvery} steps` : 'no samples during training');
}

/**
 * Seconds a run takes on a pool, from earlier runs there: their seconds per step scaled by pixels per step
 * (resolution², batch size). undefined when the pool has no earlier run.
 */
export function estimateSeconds(s: Pick<TrainingSettings, 'steps' | 'resolution' | 'batchSize'>, earlier: { secondsPerStep: number; resolution: number; batchSize: number }[]): number | undefined {
  if (!earlier.length) return undefined;
  const perPixelStep = earlier.map((r) => r.secondsPerStep / (r.resolution ** 2 * r.batchSize)).sort((a, b) => a - b);
  const median = perPixelStep[Math.floor(perPixelStep.length / 2)]!;
  return Math.round(median * s.resolution ** 2 * s.batchSize * s.steps);
}

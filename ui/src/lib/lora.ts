// The lora pipeline in the UI: the API's shapes (characters, dataset images, trainings, trainer status) and the pure
// helpers the pages share (the loss curve from events, the trainer's log as a person reads it).
import type { JobEvent } from './types.ts';

export interface Character { id: string; name: string; triggerWord: string; description: string; samplePrompts: string[]; images?: number; loras?: number; coverUrl?: string | null; createdAt: string }
export interface CharacterDetail {
  character: Character;
  counts: { images: number; trainable: number; uncaptioned: number };
  loras: { name: string; file: string; steps: number; bytes: number; jobId: string; createdAt: string }[];
}
export interface DatasetImage {
  id: string; characterId: string; characterName?: string; assetId: string; fileName: string; caption: string | null; captionSource: string;
  width: number; height: number; origin: string; tooSmall: boolean; flag: string | null; url: string; thumbUrl: string; createdAt: string;
}
export interface DatasetPage { images: DatasetImage[]; total: number | null; nextCursor: string | null }

export interface TrainingSettings {
  preset: string; steps: number; rank: number; alpha: number; learningRate: number; resolution: number;
  optimizer: string; scheduler: string; precision: string; batchSize: number; saveEvery: number; sampleEvery: number;
}
export interface Preset { id: string; label: string; help: string; steps: number; rank: number; learningRate: number; resolution: number; settings: TrainingSettings }
export interface PresetList { presets: Preset[]; optimizers: string[]; schedulers: string[]; precisions: string[] }
export interface Estimate { pool: string; settings: TrainingSettings; summary: string; seconds: number | null; basedOn: number; message: string }
export interface TrainingJob {
  id: string; title: string; status: string; stage: string; error: string | null; characterId: string; characterName: string;
  summary: string | null; settings: TrainingSettings | null; createdAt: string; finishedAt: string | null;
  lora: { name: string; steps: number; secondsPerStep: number | null; host: string } | null;
}
export interface TrainerStatus {
  state: 'running' | 'not-reporting' | 'waiting-for-retry' | 'queued' | 'stopping' | 'none';
  message: string;
  attempt?: number;
  details?: { host?: string; step?: number; total?: number; checkpoint?: { step: number; path: string } };
}

export interface LossPoint { step: number; loss: number }

/** the loss curve: one point per progress event (a retry may report a step again: the newest wins) */
export function lossPoints(events: readonly JobEvent[]): LossPoint[] {
  const byStep = new Map<number, number>();
  for (const event of events) {
    if (event.type !== 'training.progress') continue;
    const step = Number(event.data.step);
    const loss = event.data.loss;
    if (Number.isFinite(step) && typeof loss === 'number' && Number.isFinite(loss)) byStep.set(step, loss);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, loss]) => ({ step, loss }));
}

/** where a line chart puts each point, inside width × height, with the value range padded a little */
export function chartPath(points: readonly LossPoint[], total: number, width: number, height: number): { d: string; min: number; max: number } {
  if (!points.length) return { d: '', min: 0, max: 0 };
  let min = Math.min(...points.map((p) => p.loss));
  let max = Math.max(...points.map((p) => p.loss));
  if (max - min < 1e-9) { min -= 0.5; max += 0.5; }
  const pad = (max - min) * 0.08;
  [min, max] = [Math.max(0, min - pad), max + pad];
  const x = (step: number) => (Math.max(0, step) / Math.max(1, total)) * width;
  const y = (loss: number) => height - ((loss - min) / (max - min)) * height;
  return { d: points.map((p, i) => `${i ? 'L' : 'M'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' '), min, max };
}

/** the trainer's log as a terminal shows it: each tqdm redraw (\r) replaces the line it redraws */
export function terminalText(raw: string): string {
  const lines: string[] = [];
  // eslint-disable-next-line no-control-regex
  for (const line of raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n')) {
    const redraws = line.split('\r').filter((part) => part.length);
    lines.push(redraws.at(-1) ?? '');
  }
  return lines.join('\n');
}

export function latestTraining(events: readonly JobEvent[]): { step?: number; total?: number; loss?: number; etaSeconds?: number; host?: string } {
  const last = [...events].reverse().find((e) => e.type === 'training.progress');
  if (!last) return {};
  return { step: Number(last.data.step), total: Number(last.data.total), loss: typeof last.data.loss === 'number' ? last.data.loss : undefined, etaSeconds: typeof last.data.etaSeconds === 'number' ? last.data.etaSeconds : undefined, host: String(last.data.host ?? '') };
}

export const SETTING_HELP: Record<string, string> = {
  steps: 'How many training steps. More steps learn more detail, and take longer; too many copy the photos too closely.',
  rank: 'The LoRA rank: how many numbers it may use per layer. Higher learns finer detail and makes a larger file.',
  alpha: 'Scales how strongly the LoRA applies while training; usually equal to the rank.',
  learningRate: 'How big each learning step is. Too high and training falls apart; too low and it learns little.',
  resolution: 'The size the photos are trained at. Higher keeps more detail and needs more GPU memory.',
  optimizer: 'The algorithm that updates the LoRA. AdamW 8-bit saves GPU memory; Prodigy finds its own learning rate.',
  scheduler: 'How the learning rate changes over the run: constant, or easing down (cosine, linear).',
  precision: 'Number format on the GPU: bf16 is the usual choice on recent GPUs, fp16 on older ones.',
  batchSize: 'Photos per step. Larger batches are smoother and need more GPU memory.',
  saveEvery: 'A checkpoint every this many steps: training resumes from the newest one after a crash.',
  sampleEvery: 'Sample images every this many steps, to watch the LoRA learn (0: none during training).',
};

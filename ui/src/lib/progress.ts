// Per-image progress from a job's events, the job's overall fraction done, elapsed time and ETA.
import type { JobEvent } from './types.ts';

export type StepPhase = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

export interface StepProgress {
  step: string;
  phase: StepPhase;
  value: number;
  max: number;
  node?: string;
  /** ms since epoch of the first progress report */
  samplingSince?: number;
  assetIds: string[];
  notices: string[];
}

export function stepProgress(events: readonly JobEvent[]): StepProgress[] {
  const steps = new Map<string, StepProgress>();
  const stepOf = (name: string) => {
    let step = steps.get(name);
    if (!step) steps.set(name, (step = { step: name, phase: 'queued', value: 0, max: 0, assetIds: [], notices: [] }));
    return step;
  };
  for (const event of events) {
    const data = event.data ?? {};
    if (event.type === 'job.failed' || event.type === 'job.cancelled') {
      const phase = event.type === 'job.failed' ? 'failed' : 'cancelled';
      for (const step of steps.values()) if (step.phase === 'queued' || step.phase === 'running') step.phase = phase;
      continue;
    }
    if (typeof data.step !== 'string') continue;
    const step = stepOf(data.step);
    switch (event.type) {
      case 'progress':
        if (step.phase === 'done' || step.phase === 'cancelled') break;
        step.phase = 'running';
        step.value = Number(data.value) || 0;
        step.max = Number(data.max) || 0;
        step.node = data.node == null ? undefined : String(data.node);
        step.samplingSince ??= Date.parse(event.time);
        break;
      case 'asset.created':
        step.phase = 'done';
        if (step.max) step.value = step.max;
        if (typeof data.assetId === 'string' && !step.assetIds.includes(data.assetId)) step.assetIds.push(data.assetId);
        break;
      case 'comfy.cancelled':
        if (step.phase !== 'done') step.phase = 'cancelled';
        break;
      case 'comfy.notice':
        if (typeof data.message === 'string') step.notices.push(data.message);
        break;
    }
  }
  return [...steps.values()];
}

/** 0..1: finished images count whole, the running ones by their sampler step */
export function fractionDone(steps: readonly StepProgress[], total: number): number {
  if (total <= 0) return 0;
  const done = steps.reduce((sum, s) => sum + (s.phase === 'done' ? 1 : s.phase === 'running' && s.max > 0 ? s.value / s.max : 0), 0);
  return Math.min(1, done / total);
}

/** the image whose sampler reported last and has not finished */
export function currentStep(steps: readonly StepProgress[]): StepProgress | undefined {
  return steps.filter((s) => s.phase === 'running').at(-1);
}

export const MIN_FRACTION_FOR_ETA = 0.02;
export const MIN_ELAPSED_FOR_ETA_MS = 1000;

/** Linear extrapolation from when sampling began: time so far × what is left ÷ what is done. */
export function remainingMs(fraction: number, samplingSince: number | undefined, now: number): number | null {
  if (fraction >= 1) return 0;
  if (samplingSince === undefined || fraction < MIN_FRACTION_FOR_ETA) return null;
  const elapsed = now - samplingSince;
  if (elapsed < MIN_ELAPSED_FOR_ETA_MS) return null;
  return (elapsed * (1 - fraction)) / fraction;
}

export function firstSamplingTime(steps: readonly StepProgress[]): number | undefined {
  const times = steps.map((s) => s.samplingSince).filter((t): t is number => t !== undefined);
  return times.length ? Math.min(...times) : undefined;
}

export function elapsedMs(startedAt: string, finishedAt: string | null | undefined, now: number): number {
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Math.max(0, end - Date.parse(startedAt));
}

// Reads a trainer's output (AI-Toolkit's or kohya sd-scripts'): the training bar (tqdm: step, total, loss, learning
// rate, speed, ETA), checkpoints saved, a resume, sampling, a stop and errors. Both trainers print tqdm bars; they
// differ in the bar's name, its postfix (`lr: 1.0e-04 loss: 3.456e-01` or `avr_loss=0.123`) and their other lines.
import { outputSegments } from './output-lines.ts';

export type TrainerReport =
  | { kind: 'progress'; step: number; total: number; loss?: number; lr?: number; secondsPerStep?: number; etaSeconds?: number }
  | { kind: 'saving'; step: number }
  | { kind: 'checkpoint'; path: string }
  | { kind: 'resumed'; step: number }
  | { kind: 'sampling'; done: number; total: number }
  | { kind: 'stopped' }
  | { kind: 'error'; message: string }
  | { kind: 'line'; text: string };

export interface ParserOptions {
  /** which tqdm bar is the training one: AI-Toolkit names it after the job, kohya calls it "steps" */
  isTrainingBar(description: string): boolean;
  /** kohya's bar counts the steps left after a resume: its step = configured total - bar total + bar count */
  configuredTotal?: number;
  patterns: { saving?: RegExp; checkpoint?: RegExp; resumed?: RegExp; stopped?: RegExp; error?: RegExp; sampling?: RegExp };
}

const BAR = /^(?<desc>.*?):\s*(?<pct>\d+)%\|[^|]*\|\s*(?<n>\d+)\/(?<total>\d+)\s*\[(?<elapsed>[\d:]+)<(?<remaining>[\d:?]+),\s*(?<rate>\?|[\d.]+)(?<unit>it\/s|s\/it)(?:,\s*(?<postfix>.*))?\]\s*$/;
const POSTFIX = /([A-Za-z_][\w/]*)(?::\s*|=)(-?[\d.]+(?:e[-+]?\d+)?)/g;

export function clockSeconds(text: string): number | undefined {
  if (!/^\d+(:\d+){1,2}$/.test(text)) return undefined;
  return text.split(':').map(Number).reduce((total, part) => total * 60 + part, 0);
}

export interface TqdmBar { description: string; n: number; total: number; secondsPerStep?: number; etaSeconds?: number; values: Record<string, number> }

export function parseTqdm(segment: string): TqdmBar | undefined {
  const match = BAR.exec(segment.trim());
  if (!match?.groups) return undefined;
  const g = match.groups;
  const rate = g.rate === '?' ? undefined : Number(g.rate);
  const values: Record<string, number> = {};
  for (const [, key, value] of (g.postfix ?? '').matchAll(POSTFIX)) values[key!] = Number(value);
  return {
    description: g.desc!.trim(),
    n: Number(g.n),
    total: Number(g.total),
    secondsPerStep: rate === undefined || rate === 0 ? undefined : g.unit === 's/it' ? rate : 1 / rate,
    etaSeconds: clockSeconds(g.remaining!),
    values,
  };
}

export function progressParser(options: ParserOptions) {
  const segments = outputSegments();
  let lastProgress = '';

  function read(segment: string): TrainerReport[] {
    const bar = parseTqdm(segment);
    if (bar) {
      if (options.isTrainingBar(bar.description)) {
        const offset = options.configuredTotal !== undefined && bar.total < options.configuredTotal ? options.configuredTotal - bar.total : 0;
        const report: TrainerReport = {
          kind: 'progress', step: bar.n + offset, total: bar.total + offset,
          loss: bar.values.loss ?? bar.values.avr_loss ?? bar.values['loss/current'], lr: bar.values.lr,
          secondsPerStep: bar.secondsPerStep, etaSeconds: bar.etaSeconds,
        };
        // tqdm redraws the same state more than once (postfix set, then the count moved): report each state once
        const key = JSON.stringify(report);
        if (key === lastProgress) return [];
        lastProgress = key;
        return [report];
      }
      if (options.patterns.sampling?.test(bar.description)) return [{ kind: 'sampling', done: bar.n, total: bar.total }];
      return [];
    }
    const text = segment.trim();
    if (!text) return [];
    const reports: TrainerReport[] = [];
    const { saving, checkpoint, resumed, stopped, error } = options.patterns;
    let m: RegExpExecArray | null;
    if (saving && (m = saving.exec(text))) reports.push({ kind: 'saving', step: Number(m[1]) });
    if (checkpoint && (m = checkpoint.exec(text))) reports.push({ kind: 'checkpoint', path: m[1]!.trim() });
    if (resumed && (m = resumed.exec(text))) reports.push({ kind: 'resumed', step: Number(m[1]) });
    if (stopped?.test(text)) reports.push({ kind: 'stopped' });
    if (error && (m = error.exec(text))) reports.push({ kind: 'error', message: (m[1] ?? text).trim() });
    reports.push({ kind: 'line', text });
    return reports;
  }

  return {
    push: (chunk: string) => segments.push(chunk).flatMap(read),
    end: () => segments.end().flatMap(read),
  };
}

export type ProgressParser = ReturnType<typeof progressParser>;

/** AI-Toolkit: the bar is named after the job (config.name). */
export const aiToolkitParser = (jobName: string) => progressParser({
  isTrainingBar: (description) => description === jobName,
  patterns: {
    saving: /^Saving at step (\d+)/,
    checkpoint: /^Saved checkpoint to (.+\.safetensors)$/,
    resumed: /^Found step (\d+) in metadata, starting from there/,
    stopped: /^Job stopped$/,
    error: /^Error running job: (.*)$/,
    sampling: /^Generating (Images|Samples)$/,
  },
});

/** kohya sd-scripts: the bar is "steps" over the steps left; saves and resumes are logged through its logger. */
export const kohyaParser = (configuredTotal: number) => progressParser({
  isTrainingBar: (description) => description === 'steps',
  configuredTotal,
  patterns: {
    saving: /saving state at step (\d+)/,
    checkpoint: /saving checkpoint: (.+\.safetensors)/,
    resumed: /load train state from .*'current_step': (\d+)/,
    error: /^(?:\w+Error|\w+Exception): (.*)$/,
    sampling: /^(generating sample images|sample images)/i,
  },
});

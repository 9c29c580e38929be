// The training activity: runs a LoRA trainer (AI-Toolkit or kohya sd-scripts, behind one interface) on a GPU host,
// follows its output live (progress, the loss curve thinned to a few hundred events, checkpoints, samples), keeps its
// checkpoints and its whole output in the artifact store, resumes from the newest checkpoint on a retry (here or on
// another host), and on cancel stops it: SIGINT, a grace period, SIGKILL of its process group.
import { Context, ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import { sha256, type Store } from '../core/store.ts';
import type { TrainingSettings } from '../core/lora-settings.ts';
import type { AssetRepository } from '../db/assets.ts';
import type { EmitEvent } from './events.ts';
import type { Checkpoint, TrainerBackend, TrainingRun } from './training/backend.ts';
import { checkpointStore, copyAtomic } from './training/checkpoint-store.ts';
import { endRecordedTrainer, startTrainer, type RunningTrainer } from './training/process.ts';
import type { TrainerReport } from './training/progress.ts';
import { trainerSamples } from './training/samples.ts';

export { aiToolkitBackend } from './training/ai-toolkit.ts';
export { kohyaBackend } from './training/kohya.ts';

export interface TrainerSetup { backend: TrainerBackend; command: string; args: string[]; baseModel: string; arch: string; demo: boolean }

export interface TrainingDeps {
  store: Store;
  assets: AssetRepository;
  emit: EmitEvent;
  logger: Logger;
  pool: string;
  host: string;
  /** this GPU host's own folder for training runs */
  workDir: string;
  /** SIGINT to SIGKILL */
  graceMs: number;
  /** the trainer to run (installs the demo trainer on first use); `say` reports progress of that */
  setup(say: (message: string) => void): Promise<TrainerSetup>;
}

export interface TrainLoraInput { jobId: string; name: string; settings: TrainingSettings; triggerWord: string; samplePrompts: string[] }

export interface TrainedLora {
  pool: string;
  host: string;
  /** the final LoRA in the artifact store (jobs/<id>/checkpoints/<name>.safetensors) */
  checkpointPath: string;
  steps: number;
  bytes: number;
  sha256: string;
  secondsPerStep: number | null;
  baseModel: string;
  arch: string;
  backend: string;
}

export interface TrainingHeartbeat { host: string; attempt: number; step?: number; total?: number; checkpoint?: { step: number; path: string } }

const TICK_MS = 250;
export const recordsDir = (workDir: string) => path.join(workDir, 'trainers');

async function syncDataset(store: Store, jobId: string, target: string): Promise<number> {
  const source = path.dirname(store.absolute(store.relativeAssetPath(jobId, 'dataset', 'x')));
  const files = await fs.readdir(source).catch(() => [] as string[]);
  if (!files.length) throw ApplicationFailure.nonRetryable(`the dataset of job ${jobId} is not in the artifact store (${source}): start the training again`, 'DatasetMissing');
  await fs.mkdir(target, { recursive: true });
  for (const file of files) {
    const [from, to] = [path.join(source, file), path.join(target, file)];
    const [a, b] = await Promise.all([fs.stat(from), fs.stat(to).catch(() => undefined)]);
    if (!b || a.size !== b.size) await copyAtomic(from, to);
  }
  for (const file of await fs.readdir(target)) if (!files.includes(file) && !file.startsWith('_')) await fs.rm(path.join(target, file), { recursive: true, force: true });
  return files.filter((f) => !f.endsWith('.txt')).length;
}

export function trainingActivities(deps: TrainingDeps) {
  async function trainLora(input: TrainLoraInput): Promise<TrainedLora> {
    const context = Context.current();
    const attempt = context.info.attempt;
    const previous = (context.info.heartbeatDetails ?? undefined) as TrainingHeartbeat | undefined;
    const { jobId } = input;
    const emit = (type: string, data: Record<string, unknown>, options: { level?: 'info' | 'warn' | 'error'; dedupeKey?: string } = {}) =>
      deps.emit(jobId, type, { host: deps.host, attempt, ...data }, options).catch((error) => deps.logger.warn({ err: (error as Error).message, jobId }, 'event not recorded'));
    const heartbeat: TrainingHeartbeat = { host: deps.host, attempt, step: previous?.step, total: input.settings.steps, checkpoint: previous?.checkpoint };
    const beat = () => context.heartbeat(heartbeat);
    const ticker = setInterval(beat, 1000);
    let cancelled = false;
    let trainer: RunningTrainer | undefined;
    let stopping: Promise<'SIGINT' | 'SIGKILL'> | undefined;
    const stopTrainer = () => (stopping ??= trainer ? trainer.stop(deps.graceMs) : Promise.resolve('SIGINT' as const));
    context.cancelled.catch(() => { cancelled = true; void stopTrainer(); });

    try {
      beat();
      const setup = await deps.setup((message) => void emit('training.notice', { message }));
      const jobDir = path.join(deps.workDir, 'jobs', jobId);
      const run: TrainingRun = {
        jobId, name: input.name, jobDir, datasetDir: path.join(jobDir, 'dataset'), outputDir: path.join(jobDir, 'output'),
        settings: input.settings, triggerWord: input.triggerWord, samplePrompts: input.samplePrompts, baseModel: setup.baseModel, arch: setup.arch, demo: setup.demo,
      };
      const { backend } = setup;
      const stored = checkpointStore(deps.store, jobId);
      const recordFile = path.join(recordsDir(deps.workDir), `${jobId}.json`);

      // an earlier attempt's trainer on this host (its worker died): end it before starting again
      const leftover = await endRecordedTrainer(recordFile, deps.graceMs);
      if (leftover) await emit('training.orphan-ended', { pid: leftover.record.pid, how: leftover.how, fromAttempt: leftover.record.attempt });
      const images = await syncDataset(deps.store, jobId, run.datasetDir);

      // resume from the newest checkpoint, here or in the artifact store (a retry on another host)
      let local = await backend.checkpoints(run);
      const inStore = (await stored.list(run)).filter((c) => c.state.length || c.final);
      const newestStored = inStore.at(-1);
      if (newestStored && newestStored.step > (local.at(-1)?.step ?? -1)) {
        await stored.restore(run, backend, newestStored);
        await emit('training.restored', { step: newestStored.step, from: 'artifact store' });
        local = await backend.checkpoints(run);
      }
      const resumeFrom: Checkpoint | undefined = local.at(-1);
      if (previous?.checkpoint && (resumeFrom?.step ?? -1) < previous.checkpoint.step) {
        await emit('training.notice', { message: `the last attempt reported a checkpoint at step ${previous.checkpoint.step}, but the newest one found is at step ${resumeFrom?.step ?? 'none'}` }, { level: 'warn' });
      }
      if (resumeFrom) heartbeat.checkpoint = { step: resumeFrom.step, path: stored.relative(path.basename(resumeFrom.file)) };

      const log = trainingLog(deps.store, jobId);
      const samples = trainerSamples(deps, run, backend);
      const result: Omit<TrainedLora, 'checkpointPath' | 'bytes' | 'sha256'> = { pool: deps.pool, host: deps.host, steps: input.settings.steps, secondsPerStep: null, baseModel: setup.baseModel, arch: setup.arch, backend: backend.name };

      if (!resumeFrom?.final) {
        const args = await backend.prepare(run, resumeFrom);
        const attemptLog = path.join(jobDir, 'logs', `attempt-${attempt}.log`);
        await log.note(`── attempt ${attempt} on ${deps.pool}/${deps.host}, ${new Date().toISOString()}: ${resumeFrom ? `resuming from the checkpoint at step ${resumeFrom.step}` : 'starting'} ──`);
        await emit('training.started', { pool: deps.pool, backend: backend.name, demo: setup.demo, images, steps: input.settings.steps, resumeFrom: resumeFrom?.step ?? null, lastHeartbeat: previous ?? null, command: [setup.command, ...setup.args, ...args].join(' ') }, { dedupeKey: `training.started:${attempt}` });
        if (cancelled) throw new CancelledFailure('cancelled');
        trainer = await startTrainer({
          command: setup.command, args: [...setup.args, ...args], cwd: jobDir, logFile: attemptLog, recordFile, jobId, attempt,
          env: { ...process.env, PYTHONUNBUFFERED: '1', ATELIER_JOB_ID: jobId },
        });
        if (cancelled) void stopTrainer();
        const follow = followOutput({ run, backend, stored, emit, heartbeat, beat, log, samples, attemptLog });
        const exit = await follow.until(trainer.exited);
        result.secondsPerStep = follow.secondsPerStep();
        if (cancelled) {
          const how = await stopTrainer();
          await emit('training.stopped', { how, step: heartbeat.step ?? null, reason: 'cancelled' });
          throw new CancelledFailure('cancelled');
        }
        const finals = (await backend.checkpoints(run)).filter((c) => c.final);
        if (exit.code !== 0 || !finals.length) {
          const tail = follow.tail().slice(-8).join('\n');
          const what = exit.signal ? `was killed (${exit.signal})` : exit.code === 0 ? 'exited without writing the final LoRA' : `exited with code ${exit.code}`;
          if (!follow.trained()) {
            throw ApplicationFailure.nonRetryable(`the trainer ${what} before its first training step. Its last lines:\n${tail || '(no output)'}`, 'TrainerFailed', { tail });
          }
          throw ApplicationFailure.retryable(`the trainer ${what} at step ${heartbeat.step}; the next attempt resumes from the checkpoint at step ${heartbeat.checkpoint?.step ?? 0}. Its last lines:\n${tail}`, 'TrainerCrashed');
        }
      }

      const final = (await backend.checkpoints(run)).find((c) => c.final)!;
      const checkpointPath = await stored.keep(run, final);
      const bytes = await fs.readFile(final.file);
      await samples.scan();
      await emit('training.finished', { steps: input.settings.steps, bytes: bytes.length, secondsPerStep: result.secondsPerStep, checkpointPath }, { dedupeKey: 'training.finished' });
      return { ...result, checkpointPath, bytes: bytes.length, sha256: sha256(bytes) };
    } catch (error) {
      if (cancelled || error instanceof CancelledFailure) {
        await stopTrainer();
        throw error instanceof CancelledFailure ? error : new CancelledFailure('cancelled');
      }
      throw error;
    } finally {
      clearInterval(ticker);
      if (trainer && !stopping) {
        // the activity is leaving (an error of ours): no trainer outlives it
        await stopTrainer();
      }
    }
  }

  return { trainLora };
}

export type TrainingActivities = ReturnType<typeof trainingActivities>;

/** The job's trainer log in the store: every attempt's output, appended as it is read. */
function trainingLog(store: Store, jobId: string) {
  const file = store.absolute(store.relativeAssetPath(jobId, 'logs', 'trainer.log'));
  let ready: Promise<unknown> = fs.mkdir(path.dirname(file), { recursive: true });
  const append = (text: string) => (ready = ready.then(() => fs.appendFile(file, text)).catch(() => {}));
  return { append, note: (line: string) => append(`\n${line}\n`) };
}

interface FollowOptions {
  run: TrainingRun;
  backend: TrainerBackend;
  stored: ReturnType<typeof checkpointStore>;
  emit: (type: string, data: Record<string, unknown>, options?: { level?: 'info' | 'warn' | 'error'; dedupeKey?: string }) => Promise<unknown>;
  heartbeat: TrainingHeartbeat;
  beat: () => void;
  log: ReturnType<typeof trainingLog>;
  samples: ReturnType<typeof trainerSamples>;
  attemptLog: string;
}

/** Reads the trainer's log file as it grows and turns what it says into heartbeats, events and stored files. */
function followOutput(o: FollowOptions) {
  const parser = o.backend.parser(o.run);
  const decoder = new StringDecoder('utf8');
  const total = o.run.settings.steps;
  const every = Math.max(1, Math.ceil(total / 200));
  const tail: string[] = [];
  const speeds: number[] = [];
  let offset = 0;
  let firstStep: number | undefined;
  let nextEventStep = 0;
  let window: number[] = [];
  let lastLoss: number | undefined;
  let storing: Promise<unknown> = Promise.resolve();
  let lastSampleScan = 0;

  const keepNewestCheckpoint = () => {
    storing = storing.then(async () => {
      const newest = (await o.backend.checkpoints(o.run)).filter((c) => !c.final).at(-1);
      if (!newest || (o.heartbeat.checkpoint && newest.step <= o.heartbeat.checkpoint.step && o.heartbeat.checkpoint.path.endsWith(path.basename(newest.file)))) return;
      const stored = await o.stored.keep(o.run, newest);
      o.heartbeat.checkpoint = { step: newest.step, path: stored };
      o.beat();
      await o.emit('training.checkpoint', { step: newest.step, path: stored }, { dedupeKey: `training.checkpoint:${newest.step}` });
    }).catch((error) => o.emit('training.notice', { message: `a checkpoint could not be copied to the artifact store: ${(error as Error).message}` }, { level: 'warn' }));
  };

  const progressEvent = (step: number, report: Extract<TrainerReport, { kind: 'progress' }>) => {
    const loss = window.length ? window.reduce((a, b) => a + b, 0) / window.length : undefined;
    window = [];
    void o.emit('training.progress', { step, total: report.total, loss: loss ?? null, lastLoss: lastLoss ?? null, lr: report.lr ?? null, secondsPerStep: report.secondsPerStep ?? null, etaSeconds: report.etaSeconds ?? null }, { dedupeKey: `training.progress:${step}` });
  };

  function handle(report: TrainerReport): void {
    switch (report.kind) {
      case 'progress': {
        firstStep ??= report.step;
        o.heartbeat.step = report.step;
        o.heartbeat.total = report.total;
        if (report.loss !== undefined && report.loss !== lastLoss) { window.push(report.loss); lastLoss = report.loss; }
        if (report.secondsPerStep !== undefined && report.step > firstStep) speeds.push(report.secondsPerStep);
        o.beat();
        if (report.step >= nextEventStep && window.length) {
          progressEvent(report.step, report);
          nextEventStep = report.step - (report.step % every) + every;
        }
        break;
      }
      case 'checkpoint': keepNewestCheckpoint(); break;
      case 'resumed': void o.emit('training.resumed', { step: report.step }, { dedupeKey: `training.resumed:${o.heartbeat.attempt}` }); break;
      case 'error': void o.emit('training.error', { message: report.message }, { level: 'error' }); break;
      case 'line': tail.push(report.text); if (tail.length > 40) tail.shift(); break;
      default: break;
    }
  }

  async function readMore(): Promise<void> {
    const file = await fs.open(o.attemptLog, 'r').catch(() => undefined);
    if (!file) return;
    try {
      for (;;) {
        const buffer = Buffer.alloc(64 * 1024);
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        if (!bytesRead) break;
        offset += bytesRead;
        const text = decoder.write(buffer.subarray(0, bytesRead));
        o.log.append(text);
        for (const report of parser.push(text)) handle(report);
      }
    } finally {
      await file.close();
    }
  }

  return {
    async until(exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>) {
      let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      void exited.then((result) => { done = result; });
      while (!done) {
        await new Promise((r) => setTimeout(r, TICK_MS));
        await readMore();
        if (Date.now() - lastSampleScan > 1000) {
          lastSampleScan = Date.now();
          await o.samples.scan().catch(() => 0);
        }
      }
      await readMore();
      for (const report of parser.end()) handle(report);
      keepNewestCheckpoint();
      await storing;
      await o.samples.scan().catch(() => 0);
      return done;
    },
    trained: () => firstStep !== undefined && (o.heartbeat.step ?? 0) > firstStep,
    tail: () => [...tail],
    secondsPerStep: () => (speeds.length ? speeds.reduce((a, b) => a + b, 0) / speeds.length : null),
  };
}

// The pool gate: a GPU activity passes it before a prompt goes to ComfyUI. While an operator has paused (drained)
// the pool it waits: heartbeating who paused it and since when (Temporal Web shows pending activities' details),
// one job event, and its workflow told, so the job's stage and status line say so. The pause lives in the database
// (gpu_pools), so it survives restarts; each worker re-reads it every `refreshMs` (and before a prompt starts), not
// once per heartbeat.
import { Context, CancelledFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { PoolPause } from '../db/gpu-hosts.ts';
import { describePoolWait, type PoolWait } from '../workflows/messages.ts';
import type { EmitEvent } from './events.ts';

export interface PoolGateDeps {
  pool: string;
  host: string;
  /** the pool's pause from the registry, or undefined while it runs */
  paused: () => Promise<PoolPause | undefined>;
  /** tells the activity's workflow that its pool is paused (the pause) or runs again (null) */
  tellWorkflow: (execution: { workflowId: string; runId: string }, wait: PoolWait | null) => Promise<void>;
  emit: EmitEvent;
  logger: Logger;
  refreshMs?: number;
}

export function poolGate(deps: PoolGateDeps) {
  let current: PoolPause | undefined;
  let timer: NodeJS.Timeout | undefined;
  const watchers = new Set<() => void>();

  async function refresh(): Promise<void> {
    try {
      const next = await deps.paused();
      const changed = Boolean(next) !== Boolean(current);
      current = next;
      if (changed) {
        deps.logger.info({ pool: deps.pool, paused: Boolean(next), by: next?.pausedBy }, next ? 'pool paused: no new prompt starts here' : 'pool resumed');
        for (const watcher of watchers) watcher();
      }
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'could not read whether the pool is paused; keeping the last answer');
    }
  }

  const waitFor = (ms: number, wake: { fn: () => void }) => new Promise<void>((resolve) => { wake.fn = resolve; setTimeout(resolve, ms); });

  function watch(onChange: () => void): () => void {
    watchers.add(onChange);
    return () => void watchers.delete(onChange);
  }

  /** returns at once while the pool runs; waits while it is paused; throws CancelledFailure when cancelled meanwhile */
  async function pass(jobId: string, step: string): Promise<void> {
    // one fresh read per prompt about to start: a pause that just returned to the operator holds it
    await refresh();
    if (!current) return;
    const context = Context.current();
    const { workflowId, runId } = context.info.workflowExecution!;
    const pause = current;
    const wait: PoolWait = { pool: deps.pool, since: pause.pausedAt, by: pause.pausedBy, reason: pause.reason };
    const message = describePoolWait(wait);
    await deps.emit(jobId, 'pool.paused', { ...wait, step, host: deps.host, message }, { level: 'warn', dedupeKey: `pool-paused:${deps.pool}:${pause.pausedAt}` });
    await deps.tellWorkflow({ workflowId, runId }, wait).catch((error) => deps.logger.warn({ jobId, err: (error as Error).message }, 'could not tell the workflow its pool is paused'));
    const wake = { fn: () => {} };
    const unwatch = watch(() => wake.fn());
    let cancelled = false;
    context.cancelled.catch(() => { cancelled = true; wake.fn(); });
    try {
      while (current && !cancelled) {
        context.heartbeat({ poolPaused: message, step });
        await waitFor(1000, wake);
      }
    } finally {
      unwatch();
      await deps.tellWorkflow({ workflowId, runId }, null).catch(() => {});
    }
    if (cancelled) throw new CancelledFailure('cancelled while the pool was paused');
    await deps.emit(jobId, 'pool.resumed', { pool: deps.pool, step, host: deps.host }, { dedupeKey: `pool-resumed:${deps.pool}:${pause.pausedAt}` });
  }

  return {
    /** reads the pause once (a worker restarted while its pool is paused starts nothing), then every refreshMs */
    async start(): Promise<void> {
      await refresh();
      const again = () => { timer = setTimeout(() => void refresh().finally(again), deps.refreshMs ?? 1000); timer.unref(); };
      again();
    },

    stop(): void {
      clearTimeout(timer);
    },

    /** whether the pool is paused, as this worker last read it */
    closed(): boolean {
      return Boolean(current);
    },

    /** calls `onChange` whenever the pool is paused or resumed; returns the unsubscribe */
    watch,
    pass,

    /**
     * A prompt waiting in ComfyUI's queue (not yet running) while the pool is paused: taken out of the queue, queued
     * again once the pool resumes. One that started meanwhile runs to its end (the prompt that runs finishes).
     */
    async holdBack(jobId: string, step: string, prompt: { id: string; remove(): Promise<void>; locate(): Promise<'finished' | 'queued' | 'absent'>; submit(reason: string): Promise<void> }): Promise<void> {
      await prompt.remove();
      if ((await prompt.locate()) !== 'absent') return;
      await deps.emit(jobId, 'comfy.held', { step, promptId: prompt.id, pool: deps.pool, host: deps.host, how: 'deleted from the queue while the pool is paused' }, { dedupeKey: `held:${prompt.id}:${current?.pausedAt ?? ''}` });
      await pass(jobId, step);
      if ((await prompt.locate()) === 'absent') await prompt.submit('pool resumed');
    },
  };
}

export type PoolGate = ReturnType<typeof poolGate>;

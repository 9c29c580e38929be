// A job's share of its GPU pool: as many prompts in flight as the pool has slots on live hosts, plus the job's own
// prompts stranded on lost hosts (they count until their heartbeat times out, and must not starve the live hosts).
// Re-read while the job has GPU work waiting to start (the window decides nothing else): when a prompt of the job
// leaves the window (the job is awake then anyway, so a reading costs no task of its own), and on a timer that backs
// off from 2 to 30 s while the readings stay the same, for a job whose prompts wait behind other jobs' and end
// rarely. A job's history then grows with its images, not with the time it waits: at a reading every 2 s, a job of
// 500 slow images (hours) would reach Temporal's limit of 51,200 events and be terminated.
import { proxyLocalActivities, condition, patched } from '@temporalio/workflow';
import type { PoolActivities } from '../activities/pools.ts';
import type { StepState } from './messages.ts';

const pools = proxyLocalActivities<PoolActivities>({ startToCloseTimeout: '10 seconds', retry: { initialInterval: '1 second', maximumAttempts: 3 } });

/** the soonest a job re-reads its pool's capacity after a reading */
export const CAPACITY_EVERY_MS = 2_000;
/** the longest a job with work waiting goes without a reading while its readings stay the same */
export const CAPACITY_AT_MOST_MS = 30_000;

export interface PoolCapacityOptions {
  jobId: string;
  pool: string;
  /** the window until the first reading (and while readings fail) */
  initial: number;
  /** whether the job has GPU work waiting to start */
  waiting: () => boolean;
  /** how many of the job's prompts are in the window (at the GPU or on their way) */
  inFlight: () => number;
  /** how many have left it, counted from the job's start: each is a moment to re-read */
  settled: () => number;
}

/** what the window needs to know of a job whose GPU work is `steps`, `inFlight` of them in the window now */
export function stepsInWindow(steps: StepState[], inFlight: Set<unknown>): Pick<PoolCapacityOptions, 'waiting' | 'inFlight' | 'settled'> {
  return {
    waiting: () => steps.some((s) => s.status === 'pending'),
    inFlight: () => inFlight.size,
    settled: () => steps.filter((s) => s.status !== 'pending' && s.status !== 'running').length,
  };
}

export async function followPoolCapacity(options: PoolCapacityOptions) {
  let size = Math.max(1, options.initial);
  // a job started before windows followed the pool keeps its fixed window when replayed
  if (!patched('pool-capacity')) return { size: () => size, close: async () => {} };
  // a job started before the readings backed off reads every 2 s while work waits or runs, when replayed
  const backingOff = patched('pool-capacity-backoff');
  let closed = false;
  const read = async () => {
    try {
      const capacity = await pools.poolCapacity({ pool: options.pool, jobId: options.jobId });
      // never 0: with no live host one prompt waits in the queue, and the next reading opens the window again
      size = Math.max(1, capacity.slots + capacity.stranded);
    } catch {
      // the database was away a moment: keep the last reading
    }
  };
  await read();
  const following = (backingOff ? backOff : everyTwoSeconds)().catch(() => { /* the job was cancelled: the window it served ends too */ });

  async function everyTwoSeconds() {
    while (!closed) {
      await condition(() => closed, CAPACITY_EVERY_MS);
      if (closed) return;
      await condition(() => closed || options.waiting() || options.inFlight() > 0);
      if (!closed) await read();
    }
  }

  async function backOff() {
    let every = CAPACITY_EVERY_MS;
    let readAt = Date.now();
    let settled = options.settled();
    while (!closed) {
      // nothing to start, nothing to decide: no timer either
      await condition(() => closed || options.waiting());
      if (closed) return;
      // workflow time stands still within a task; a task comes when a prompt settles or the timer fires
      const settledSince = await condition(() => closed || !options.waiting() || (options.settled() !== settled && Date.now() - readAt >= CAPACITY_EVERY_MS), every);
      if (closed) return;
      if (!options.waiting()) continue;
      const before = size;
      await read();
      readAt = Date.now();
      settled = options.settled();
      // a change starts the timer over at 2 s; a timer that found nothing new waits twice as long next time
      if (size !== before) every = CAPACITY_EVERY_MS;
      else if (!settledSince) every = Math.min(every * 2, CAPACITY_AT_MOST_MS);
    }
  }

  return {
    size: () => size,
    close(): Promise<void> {
      closed = true;
      return following;
    },
  };
}

/** why pinned work should not wait for this host (lost or stopped in its pool's registry), or undefined while it is live */
export async function hostGone(pool: string, host: string): Promise<string | undefined> {
  // a job started before the registry existed waits for its host's own timeout when replayed
  if (!patched('host-registry')) return undefined;
  try {
    const known = await pools.gpuHostState({ pool, host });
    if (known.state === 'live' || known.state === 'unknown') return undefined;
    return `host ${host} is ${known.state} (last seen ${known.secondsSinceSeen} s ago)`;
  } catch {
    return undefined; // the registry could not be read: the host's own timeout decides
  }
}

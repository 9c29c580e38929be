// A job's share of its GPU pool: as many prompts in flight as the pool has slots on live hosts, plus the job's own
// prompts stranded on lost hosts (they count until their heartbeat times out, and must not starve the live hosts).
// Re-read every few seconds while the job has GPU work waiting or running, so the window follows hosts that come
// and go; idle (a review awaited) it reads nothing, keeping the history short.
import { proxyLocalActivities, condition, patched } from '@temporalio/workflow';
import type { PoolActivities } from '../activities/pools.ts';

const pools = proxyLocalActivities<PoolActivities>({ startToCloseTimeout: '10 seconds', retry: { initialInterval: '1 second', maximumAttempts: 3 } });

/** how often a busy job re-reads its pool's capacity */
export const CAPACITY_EVERY = '2 seconds';

export interface PoolCapacityOptions {
  jobId: string;
  pool: string;
  /** the window until the first reading (and while readings fail) */
  initial: number;
  /** whether the job has GPU work waiting or in flight now */
  busy: () => boolean;
}

export async function followPoolCapacity(options: PoolCapacityOptions) {
  let size = Math.max(1, options.initial);
  // a job started before windows followed the pool keeps its fixed window when replayed
  if (!patched('pool-capacity')) return { size: () => size, close: async () => {} };
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
  const following = (async () => {
    while (!closed) {
      await condition(() => closed, CAPACITY_EVERY);
      if (closed) return;
      await condition(() => closed || options.busy());
      if (!closed) await read();
    }
  })().catch(() => { /* the job was cancelled: the window it served ends too */ });
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

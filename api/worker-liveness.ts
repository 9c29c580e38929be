// Which workers are polling a task queue, from what Temporal remembers of its pollers (DescribeTaskQueue). Temporal
// keeps a poller for 5 minutes after its last poll, so a worker that was killed stays listed that long: only one that
// polled within the last long poll (a minute) and a margin counts as polling.

/** a worker with a free slot polls again within Temporal's long poll of a minute */
export const POLLED_WITHIN_MS = 90_000;

/** pollers older than this are left out (Temporal forgets them then too) */
const LISTED_WITHIN_MS = 5 * 60_000;

/** a worker as the health page shows it: polling, or not since `lastSeen` (it stopped, or every slot is busy) */
export interface WorkerSeen { identity: string; lastSeen: string | null; polling: boolean }

/** a poller as DescribeTaskQueue gives it */
export interface Poller { identity?: string | null; lastAccessTime?: { seconds?: { toNumber(): number } | null } | null }

export function workersSeen(pollers: Poller[], now: number): WorkerSeen[] {
  return pollers.map((poller) => {
    const seconds = poller.lastAccessTime?.seconds;
    const seenAt = seconds ? seconds.toNumber() * 1000 : null;
    return { identity: poller.identity ?? '', seenAt };
  })
    .filter(({ seenAt }) => seenAt === null || now - seenAt <= LISTED_WITHIN_MS)
    // a poller without a time cannot be judged stale
    .map(({ identity, seenAt }) => ({ identity, lastSeen: seenAt === null ? null : new Date(seenAt).toISOString(), polling: seenAt === null || now - seenAt <= POLLED_WITHIN_MS }));
}

/**
 * A pool can run prompts while one of its GPU workers polls, or while a host of it beats: a worker with every slot
 * busy polls no more, but its host's heartbeat (db/gpu-hosts.ts) says it is there.
 */
export const poolHasWorker = (workers: WorkerSeen[], hosts: { state: string }[]) =>
  workers.some((worker) => worker.polling) || hosts.some((host) => host.state === 'live');

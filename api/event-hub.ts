// One LISTEN for the whole API; each SSE stream registers for its job and is told when to read more.
import type { EventLog } from '../db/events.ts';

/** subscribe with this id to hear of every job's events */
export const ALL_JOBS = '*';

export type EventHub = Awaited<ReturnType<typeof eventHub>>;

export async function eventHub(log: EventLog) {
  const listeners = new Map<string, Set<(seq: number) => void>>();
  const subscription = await log.listen((jobId, seq) => {
    for (const listener of listeners.get(jobId) ?? []) listener(seq);
    for (const listener of listeners.get(ALL_JOBS) ?? []) listener(seq);
  });
  return {
    subscribe(jobId: string, listener: (seq: number) => void): () => void {
      if (!listeners.has(jobId)) listeners.set(jobId, new Set());
      listeners.get(jobId)!.add(listener);
      return () => {
        const set = listeners.get(jobId);
        set?.delete(listener);
        if (set?.size === 0) listeners.delete(jobId);
      };
    },
    close: () => subscription.unlisten(),
  };
}

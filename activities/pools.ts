// What a job needs to know of its GPU pool: the slots of its live hosts (its window follows them) and the state of
// one host (pinned work fails over from a host that is lost or stopped). Main-queue activities reading the registry.
import type { GpuHostRegistry, HostState } from '../db/gpu-hosts.ts';
import type { PromptDispatches } from '../db/prompt-dispatches.ts';
import { GPU_PROMPT_HEARTBEAT_SECONDS } from '../workflows/messages.ts';

/** a lost host's prompts count in its jobs' windows until this long after it was last seen: their heartbeat timeout
 *  runs out about then, and the slots left free on the live hosts take their retries at once */
const STRANDED_FOR_MS = (GPU_PROMPT_HEARTBEAT_SECONDS - 1) * 1000;

export interface PoolDeps {
  hosts: GpuHostRegistry;
  dispatches: PromptDispatches;
}

export interface PoolCapacity {
  /** prompt slots on the pool's live hosts */
  slots: number;
  liveHosts: string[];
  /** this job's prompts still counted as running on hosts that are lost or stopped: they wait for their heartbeat timeout */
  stranded: number;
}

export function poolActivities(deps: PoolDeps) {
  return {
    async poolCapacity(request: { pool: string; jobId: string }): Promise<PoolCapacity> {
      const [all, open] = await Promise.all([deps.hosts.hosts(request.pool), deps.dispatches.open(request.jobId, request.pool)]);
      const hosts = all.filter((h) => h.state === 'live');
      const slots = hosts.reduce((sum, h) => sum + h.slots, 0);
      const live = new Set(hosts.map((h) => h.host));
      const sinceSeen = new Map(all.map((h) => [h.host, h.sinceSeenMs]));
      // a prompt a live host took over takes one of that host's slots: not stranded; nor is one whose retry is due
      const stranded = open.filter((p) => !live.has(p.host) && !(p.collectedBy && live.has(p.collectedBy))
        && (sinceSeen.get(p.host) ?? Infinity) < STRANDED_FOR_MS).length;
      return { slots, liveHosts: [...live], stranded };
    },

    /** a host's state in its pool's registry, how long since it was last seen, and `unknown` when it never registered */
    async gpuHostState(request: { pool: string; host: string }): Promise<{ state: HostState | 'unknown'; lastSeen?: string; secondsSinceSeen?: number }> {
      const host = await deps.hosts.host(request.pool, request.host);
      if (!host) return { state: 'unknown' };
      return { state: host.state, lastSeen: host.lastSeen, secondsSinceSeen: Math.round((Date.now() - Date.parse(host.lastSeen)) / 1000) };
    },
  };
}

export type PoolActivities = ReturnType<typeof poolActivities>;

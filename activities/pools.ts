// What a job needs to know of its GPU pool: the slots of its live hosts (its window follows them) and the state of
// one host (pinned work fails over from a host that is lost or stopped). Main-queue activities reading the registry.
import type { GpuHostRegistry, HostState } from '../db/gpu-hosts.ts';
import type { PromptDispatches } from '../db/prompt-dispatches.ts';

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
      const [{ hosts, slots }, open] = await Promise.all([deps.hosts.liveSlots(request.pool), deps.dispatches.open(request.jobId, request.pool)]);
      const live = new Set(hosts.map((h) => h.host));
      // a prompt a live host took over takes one of that host's slots: not stranded
      const stranded = open.filter((p) => !live.has(p.host) && !(p.collectedBy && live.has(p.collectedBy))).length;
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

// The GPU host registry: each GPU worker registers its host (pool, its ComfyUI, its slots, version) and keeps
// last_seen fresh; a host whose registration is older than `lostMs` is lost, one that left in order is stopped.
// Pools an operator paused (drained) live here too: the state every worker, job and page reads.
import type { Sql } from 'postgres';

export type HostState = 'live' | 'lost' | 'stopped';

export interface GpuHost {
  pool: string;
  host: string;
  comfyUrl: string;
  slots: number;
  version: string;
  pid: number | null;
  startedAt: string;
  lastSeen: string;
  stoppedAt: string | null;
  state: HostState;
  /** milliseconds since its last beat, by the database's clock (the same clock every worker's beats are written by) */
  sinceSeenMs: number;
}

export interface NewGpuHost { pool: string; host: string; comfyUrl: string; slots: number; version: string; pid?: number }

export interface PoolPause { pool: string; pausedAt: string; pausedBy: string | null; reason: string | null }

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);

function toHost(row: Record<string, any>, lostMs: number, now: number): GpuHost {
  const lastSeen = new Date(row.last_seen).getTime();
  const state: HostState = row.stopped_at ? 'stopped' : now - lastSeen > lostMs ? 'lost' : 'live';
  return {
    pool: row.pool, host: row.host, comfyUrl: row.comfy_url, slots: row.slots, version: row.version, pid: row.pid ?? null,
    startedAt: iso(row.started_at)!, lastSeen: iso(row.last_seen)!, stoppedAt: iso(row.stopped_at), state, sinceSeenMs: Math.max(0, now - lastSeen),
  };
}

export function gpuHostRegistry(sql: Sql, options: { lostMs: number }) {
  const { lostMs } = options;
  return {
    lostMs,

    /** a worker starting on a host: (re)places that host's record */
    async register(host: NewGpuHost): Promise<void> {
      await sql`
        INSERT INTO gpu_hosts (pool, host, comfy_url, slots, version, pid, started_at, last_seen, stopped_at)
        VALUES (${host.pool}, ${host.host}, ${host.comfyUrl}, ${host.slots}, ${host.version}, ${host.pid ?? null}, now(), now(), NULL)
        ON CONFLICT (pool, host) DO UPDATE SET comfy_url = excluded.comfy_url, slots = excluded.slots, version = excluded.version,
          pid = excluded.pid, started_at = now(), last_seen = now(), stopped_at = NULL`;
    },

    /** the worker is alive; false when its record is gone (then register again) */
    async beat(pool: string, host: string): Promise<boolean> {
      const rows = await sql`UPDATE gpu_hosts SET last_seen = now(), stopped_at = NULL WHERE pool = ${pool} AND host = ${host} RETURNING host`;
      return rows.length > 0;
    },

    /** the worker stopped in order: its host is not lost, just gone */
    async leave(pool: string, host: string): Promise<void> {
      await sql`UPDATE gpu_hosts SET stopped_at = now() WHERE pool = ${pool} AND host = ${host}`;
    },

    /** every registered host (of one pool, or all), with its state as of the database's clock */
    async hosts(pool?: string): Promise<GpuHost[]> {
      const rows = pool
        ? await sql`SELECT *, extract(epoch from now()) * 1000 AS now_ms FROM gpu_hosts WHERE pool = ${pool} ORDER BY pool, host`
        : await sql`SELECT *, extract(epoch from now()) * 1000 AS now_ms FROM gpu_hosts ORDER BY pool, host`;
      return rows.map((row) => toHost(row, lostMs, Number(row.now_ms)));
    },

    async host(pool: string, host: string): Promise<GpuHost | undefined> {
      return (await this.hosts(pool)).find((h) => h.host === host);
    },

    async pause(pool: string, by?: string, reason?: string): Promise<PoolPause> {
      const [row] = await sql`
        INSERT INTO gpu_pools (pool, paused_at, paused_by, reason) VALUES (${pool}, now(), ${by ?? null}, ${reason ?? null})
        ON CONFLICT (pool) DO UPDATE SET paused_at = coalesce(gpu_pools.paused_at, now()), paused_by = excluded.paused_by, reason = excluded.reason
        RETURNING *`;
      return { pool, pausedAt: iso(row!.paused_at)!, pausedBy: row!.paused_by, reason: row!.reason };
    },

    async resume(pool: string): Promise<void> {
      await sql`UPDATE gpu_pools SET paused_at = NULL, paused_by = NULL, reason = NULL WHERE pool = ${pool}`;
    },

    /** the pool's pause, or undefined while it runs */
    async paused(pool: string): Promise<PoolPause | undefined> {
      const [row] = await sql`SELECT * FROM gpu_pools WHERE pool = ${pool} AND paused_at IS NOT NULL`;
      return row ? { pool, pausedAt: iso(row.paused_at)!, pausedBy: row.paused_by, reason: row.reason } : undefined;
    },
  };
}

export type GpuHostRegistry = ReturnType<typeof gpuHostRegistry>;

/** a GPU worker's registration, kept fresh every `beatMs` until `stop()` (which marks the host stopped) */
export function keepRegistered(registry: GpuHostRegistry, host: NewGpuHost, beatMs: number, onError: (error: Error) => void) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const beat = async () => {
    try {
      if (!(await registry.beat(host.pool, host.host))) await registry.register(host);
    } catch (error) {
      onError(error as Error);
    }
    if (!stopped) timer = setTimeout(beat, beatMs);
  };
  return {
    async start() {
      await registry.register(host);
      timer = setTimeout(beat, beatMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await registry.leave(host.pool, host.host).catch(onError);
    },
  };
}

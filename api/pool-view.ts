// What an operator sees of the GPU pools (the health page, GET /api/pools, `atelier pools`): each pool's pause and
// hosts with their state, the prompts running and waiting at the ComfyUI each one drives, and its images per minute.
import type { ApiContext } from './context.ts';
import { gpuHostRegistry, type HostState, type PoolPause } from '../db/gpu-hosts.ts';
import { withoutCredentials } from '../core/redact.ts';

/** images are counted over this many minutes */
export const RATE_WINDOW_MINUTES = 10;

export interface PoolHostView {
  host: string;
  state: HostState;
  /** since when it is in that state: started (live), last seen (lost), left (stopped) */
  since: string;
  lastSeen: string;
  comfyUrl: string;
  slots: number;
  version: string;
  /** prompts at its ComfyUI right now, or why they could not be counted */
  prompts: { running: number; waiting: number } | { error: string };
  imagesPerMinute: number;
}

export interface PoolView {
  name: string;
  paused: PoolPause | null;
  hosts: PoolHostView[];
  imagesPerMinute: number;
  rateWindowMinutes: number;
}

async function promptsAt(comfyUrl: string): Promise<PoolHostView['prompts']> {
  try {
    const response = await fetch(new URL('queue', comfyUrl.replace(/\/?$/, '/')), { signal: AbortSignal.timeout(1500) });
    if (!response.ok) return { error: `ComfyUI answered ${response.status} to /queue` };
    const body = (await response.json()) as { queue_running?: unknown[]; queue_pending?: unknown[] };
    return { running: body.queue_running?.length ?? 0, waiting: body.queue_pending?.length ?? 0 };
  } catch (error) {
    return { error: `ComfyUI not reachable: ${(error as Error).message}` };
  }
}

const perMinute = (images: number) => Math.round((images / RATE_WINDOW_MINUTES) * 10) / 10;

export function poolViews(ctx: Pick<ApiContext, 'config' | 'database'>) {
  const registry = gpuHostRegistry(ctx.database.sql, ctx.config.gpuHosts);
  const sql = ctx.database.sql;

  async function imagesByHost(pool: string): Promise<Map<string, number>> {
    const rows = await sql`
      SELECT meta->>'host' AS host, count(*)::int AS images FROM assets
      WHERE created_at > now() - make_interval(mins => ${RATE_WINDOW_MINUTES}) AND meta->>'pool' = ${pool} AND meta->>'host' IS NOT NULL
      GROUP BY 1`;
    return new Map(rows.map((row) => [row.host as string, row.images as number]));
  }

  async function view(pool: string): Promise<PoolView> {
    const [paused, hosts, images] = await Promise.all([registry.paused(pool), registry.hosts(pool), imagesByHost(pool)]);
    const hostViews = await Promise.all(hosts.map(async (h): Promise<PoolHostView> => ({
      host: h.host, state: h.state,
      since: h.state === 'live' ? h.startedAt : h.state === 'lost' ? h.lastSeen : h.stoppedAt ?? h.lastSeen,
      lastSeen: h.lastSeen, comfyUrl: withoutCredentials(h.comfyUrl) ?? '', slots: h.slots, version: h.version,
      prompts: h.state === 'stopped' ? { running: 0, waiting: 0 } : await promptsAt(h.comfyUrl),
      imagesPerMinute: perMinute(images.get(h.host) ?? 0),
    })));
    const total = [...images.values()].reduce((sum, n) => sum + n, 0);
    return { name: pool, paused: paused ?? null, hosts: hostViews, imagesPerMinute: perMinute(total), rateWindowMinutes: RATE_WINDOW_MINUTES };
  }

  return {
    view,
    all: () => Promise.all(Object.keys(ctx.config.gpuPools).map(view)),
    pause: (pool: string, by: string, reason?: string) => registry.pause(pool, by, reason),
    resume: (pool: string) => registry.resume(pool),
  };
}

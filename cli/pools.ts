// `atelier pools` and `atelier pool pause|resume <pool>`: each GPU pool's hosts (live, draining, lost since …), the
// prompts at the ComfyUI each one drives, images per minute; an operator's drain of a pool and its end.
import os from 'node:os';
import { CliError, type ApiClient } from './api-client.ts';
import type { PoolView, PoolHostView } from '../api/pool-view.ts';

export const POOLS_USAGE = `  atelier pools                                    each GPU pool: paused or running, its hosts, prompts, images/min
  atelier pool pause <pool> [--reason TEXT]        drain: running prompts finish, nothing new starts until resume
  atelier pool resume <pool>`;

const clock = (iso: string) => iso.slice(0, 19).replace('T', ' ');

function hostLine(pool: PoolView, host: PoolHostView): string {
  const state = host.state === 'live' && pool.paused ? 'draining' : host.state;
  const prompts = 'error' in host.prompts ? host.prompts.error : `${host.prompts.running} running, ${host.prompts.waiting} waiting`;
  return `  ${host.host.padEnd(16)} ${`${state} since ${clock(host.since)}`.padEnd(36)} ${prompts.padEnd(22)} ${host.imagesPerMinute} images/min  ComfyUI ${host.comfyUrl} (${host.slots} slots)`;
}

export function describePools(pools: PoolView[]): string {
  if (!pools.length) return 'no GPU pool is configured: set ATELIER_GPU_POOLS (name=ComfyUI URL)';
  return pools.map((pool) => [
    `pool ${pool.name}  ${pool.paused ? `PAUSED by ${pool.paused.pausedBy ?? 'an operator'} since ${clock(pool.paused.pausedAt)}${pool.paused.reason ? ` (${pool.paused.reason})` : ''}` : 'running'}`
      + `  ${pool.imagesPerMinute} images/min over the last ${pool.rateWindowMinutes} min`,
    ...(pool.hosts.length ? pool.hosts.map((host) => hostLine(pool, host)) : [`  no GPU host has registered yet: start a GPU worker for it (the worker-gpu role with --pool ${pool.name})`]),
  ].join('\n')).join('\n');
}

export async function poolsCommand(api: ApiClient, command: string, rest: string[], values: { reason?: string }, out: (data: unknown, human: () => string) => void): Promise<number> {
  if (command === 'pools') {
    const { pools } = await api.get<{ pools: PoolView[] }>('/api/pools');
    out({ pools }, () => describePools(pools));
    return 0;
  }
  const [action, name] = rest;
  if ((action !== 'pause' && action !== 'resume') || !name) throw new CliError('pool needs pause or resume and a pool name: atelier pool pause <pool> (atelier pools lists them)', 2);
  const body = action === 'pause' ? { reason: values.reason, by: `${os.userInfo().username} (CLI)` } : undefined;
  const pool = await api.post<PoolView>(`/api/pools/${encodeURIComponent(name)}/${action}`, body);
  out(pool, () => `${action === 'pause' ? 'paused' : 'resumed'} pool ${pool.name}${action === 'pause' ? ': running prompts finish, nothing new starts until atelier pool resume ' + pool.name : ''}\n${describePools([pool])}`);
  return 0;
}

// The API's read-only view of each pool's ComfyUI: /object_info of the classes a template uses (to check a job
// before it starts, and to show a form what the server allows) and /system_stats. It never queues work there.
// Class descriptions are kept 10 s and asked once however many jobs want them at the same moment, so a burst of
// jobs does not keep the GPU server answering; a check that
// fails on a kept description looks again before refusing, and the template list always reads afresh.
import { comfyClient, type ComfyNodeInfo, type ObjectInfo } from '../core/comfy/client.ts';
import type { ApiContext } from './context.ts';

const TIMEOUT_MS = 3000;
const KEEP_MS = 10_000;
const kept = new Map<string, { at: number; info: ComfyNodeInfo | undefined }>();
/** the questions on their way to a ComfyUI, by class */
const inFlight = new Map<string, Promise<void>>();

export function poolClient(ctx: Pick<ApiContext, 'config'>, pool: string) {
  const url = ctx.config.gpuPools[pool];
  if (!url) throw new Error(`GPU pool "${pool}" is not configured`);
  return comfyClient(url, { timeoutMs: TIMEOUT_MS });
}

/** /object_info of these classes at the pool's ComfyUI, or an error (logged) when it does not answer. */
export async function poolObjectInfo(ctx: Pick<ApiContext, 'config' | 'logger'>, pool: string, classes: Iterable<string>, options: { fresh?: boolean } = {}): Promise<{ info?: ObjectInfo; error?: string }> {
  const wanted = [...new Set(classes)];
  const key = (name: string) => `${pool}\u0001${ctx.config.gpuPools[pool]}\u0001${name}`;
  const now = Date.now();
  const missing = wanted.filter((name) => options.fresh || !(now - (kept.get(key(name))?.at ?? 0) < KEEP_MS));
  try {
    // a burst of jobs that all find the description stale asks once: the others wait for that answer
    const asking = missing.filter((name) => options.fresh || !inFlight.has(key(name)));
    if (asking.length) {
      const answer = poolClient(ctx, pool).objectInfoFor(asking).then((info) => {
        for (const name of asking) kept.set(key(name), { at: Date.now(), info: info[name] });
      }).finally(() => { for (const name of asking) if (inFlight.get(key(name)) === answer) inFlight.delete(key(name)); });
      for (const name of asking) inFlight.set(key(name), answer);
    }
    await Promise.all(missing.map((name) => inFlight.get(key(name))));
    const info: ObjectInfo = {};
    for (const name of wanted) {
      const node = kept.get(key(name))?.info;
      if (node) info[name] = node;
    }
    return { info };
  } catch (error) {
    ctx.logger.warn({ pool, err: (error as Error).message }, 'ComfyUI /object_info not readable; the GPU worker checks the job instead');
    return { error: (error as Error).message };
  }
}

// The API's read-only view of each pool's ComfyUI: /object_info of the classes a template uses (to check a job
// before it starts, and to show a form what the server allows) and /system_stats. It never queues work there.
import { comfyClient, type ObjectInfo } from '../core/comfy/client.ts';
import type { ApiContext } from './context.ts';

const TIMEOUT_MS = 3000;

export function poolClient(ctx: Pick<ApiContext, 'config'>, pool: string) {
  const url = ctx.config.gpuPools[pool];
  if (!url) throw new Error(`GPU pool "${pool}" is not configured`);
  return comfyClient(url, { timeoutMs: TIMEOUT_MS });
}

/** /object_info of these classes at the pool's ComfyUI, or undefined (logged) when it does not answer. */
export async function poolObjectInfo(ctx: Pick<ApiContext, 'config' | 'logger'>, pool: string, classes: Iterable<string>): Promise<{ info?: ObjectInfo; error?: string }> {
  try {
    return { info: await poolClient(ctx, pool).objectInfoFor(classes) };
  } catch (error) {
    ctx.logger.warn({ pool, err: (error as Error).message }, 'ComfyUI /object_info not readable; the GPU worker checks the job instead');
    return { error: (error as Error).message };
  }
}

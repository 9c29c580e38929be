// GET /health (no auth): Temporal, the database, each backend (demo or real), GPU pools and their workers.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { gpuTaskQueue, MAIN_TASK_QUEUE } from '../../workflows/messages.ts';
import { withoutCredentials } from '../../core/redact.ts';
import { llmHealth } from '../llm-health.ts';
import { poolViews } from '../pool-view.ts';
import { poolHasWorker, workersSeen } from '../worker-liveness.ts';

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

async function check<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await within(3000, work()) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();
  const service = () => ctx.temporal.workflowService;
  const namespace = ctx.config.temporal.namespace;
  const views = poolViews(ctx);

  const pollers = async (taskQueue: string) => {
    // 2 = TASK_QUEUE_TYPE_ACTIVITY
    const answer = await service().describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 2 });
    return workersSeen(answer.pollers ?? [], Date.now());
  };

  router.get('/health', async (_req, res) => {
    const [temporal, database, llm] = await Promise.all([
      check(() => service().getSystemInfo({})),
      check(() => ctx.database.sql`SELECT version()`),
      llmHealth(ctx.config),
    ]);
    const pools = await Promise.all(Object.entries(ctx.config.gpuPools).map(async ([name, url]) => {
      const [comfy, workers, view] = await Promise.all([
        check(async () => {
          const response = await fetch(new URL('system_stats', url + '/'), { signal: AbortSignal.timeout(2500) });
          if (!response.ok) throw new Error(`answered ${response.status}`);
          return (await response.json()) as { system?: { comfyui_version?: string } };
        }),
        temporal.ok ? check(() => pollers(gpuTaskQueue(name))) : Promise.resolve({ ok: false as const, error: 'Temporal unreachable' }),
        database.ok ? check(() => views.view(name)) : Promise.resolve({ ok: false as const, error: 'database unreachable' }),
      ]);
      const seen = workers.ok ? workers.value : [];
      return {
        name, queue: gpuTaskQueue(name),
        comfyui: { url: withoutCredentials(url), demo: ctx.config.demoBackends.includes(`comfyui:${name}`), ok: comfy.ok, version: comfy.ok ? comfy.value.system?.comfyui_version ?? null : null, error: comfy.ok ? undefined : comfy.error },
        workers: seen,
        hasWorker: poolHasWorker(seen, view.ok ? view.value.hosts : []),
        // the hosts in the pool's registry (state, prompts at their ComfyUI, images per minute) and an operator's pause
        paused: view.ok ? view.value.paused : null,
        hosts: view.ok ? view.value.hosts : [],
        imagesPerMinute: view.ok ? view.value.imagesPerMinute : null,
        rateWindowMinutes: view.ok ? view.value.rateWindowMinutes : null,
      };
    }));
    const mainWorkers = temporal.ok ? await check(() => pollers(MAIN_TASK_QUEUE)) : { ok: false as const, error: 'Temporal unreachable' };
    const ok = temporal.ok && database.ok && pools.every((p) => p.comfyui.ok && p.hasWorker) && mainWorkers.ok && mainWorkers.value.some((w) => w.polling);
    res.status(temporal.ok && database.ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      temporal: { ok: temporal.ok, address: ctx.config.temporal.address, namespace, webUrl: ctx.config.temporal.uiUrl, embedded: ctx.config.demoBackends.includes('temporal'), error: temporal.ok ? undefined : temporal.error },
      database: { ok: database.ok, embedded: ctx.config.demoBackends.includes('postgres'), version: database.ok ? String((database.value[0] as { version: string }).version).split(' ').slice(0, 2).join(' ') : null, error: database.ok ? undefined : database.error },
      workers: { main: mainWorkers.ok ? mainWorkers.value : [] },
      pools,
      llm,
      // the LoRA trainer GPU workers run: the demo one (a tiny CPU model) unless ATELIER_TRAINER_COMMAND names a real one
      trainer: ctx.config.trainer.command
        ? { demo: false, backend: ctx.config.trainer.backend, arch: ctx.config.trainer.arch ?? 'flux' }
        : { demo: true, backend: 'ai-toolkit', arch: 'demo', note: 'demo trainer: a real LoRA training on a tiny CPU model, installed into .tools/trainer-venv on first use' },
      defaultPool: ctx.config.defaultPool ?? null,
    });
  });
  return router;
}

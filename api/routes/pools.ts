// GPU pools for operators: GET /pools (hosts, their state, prompts, images per minute), POST /pools/:pool/pause and
// /resume (a drain: the pool's GPU workers finish the prompt that runs and start nothing new until it resumes).
import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { poolViews } from '../pool-view.ts';

const pauseBody = z.object({
  reason: z.string().trim().max(200, 'reason must be at most 200 characters').optional(),
  by: z.string().trim().min(1).max(64, 'by must be at most 64 characters').optional(),
}).strict();

export function poolRoutes(ctx: ApiContext): Router {
  const router = Router();
  const pools = poolViews(ctx);

  const knownPool = (name: string) => {
    if (!ctx.config.gpuPools[name]) {
      const names = Object.keys(ctx.config.gpuPools);
      throw notFound(`no GPU pool "${name.slice(0, 80)}": ${names.length ? `the pools are ${names.join(', ')}` : 'no pool is configured'} (ATELIER_GPU_POOLS)`);
    }
    return name;
  };

  router.get('/pools', async (_req, res) => {
    res.json({ pools: await pools.all() });
  });

  router.get('/pools/:pool', async (req, res) => {
    res.json(await pools.view(knownPool(req.params.pool)));
  });

  router.post('/pools/:pool/pause', async (req, res) => {
    const pool = knownPool(req.params.pool);
    const parsed = pauseBody.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const pause = await pools.pause(pool, parsed.data.by ?? 'the API', parsed.data.reason);
    ctx.logger.info({ pool, by: pause.pausedBy, reason: pause.reason }, 'GPU pool paused');
    res.json(await pools.view(pool));
  });

  router.post('/pools/:pool/resume', async (req, res) => {
    const pool = knownPool(req.params.pool);
    await pools.resume(pool);
    ctx.logger.info({ pool }, 'GPU pool resumed');
    res.json(await pools.view(pool));
  });

  return router;
}

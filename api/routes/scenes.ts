// POST /scenes: check the input, record the job, start the scene workflow. GET /scenes/:id/export: the ZIP or the
// OpenRaster file the finished job wrote (the API serves them; it never builds them).
import { Router } from 'express';
import crypto from 'node:crypto';
import type { ApiContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { sceneInputSchema } from '../../core/scene-input.ts';
import { MAIN_TASK_QUEUE } from '../../workflows/messages.ts';
import { jobIdParam, temporalWebUrl } from './jobs.ts';

const FORMATS = { zip: { file: 'scene.zip', type: 'application/zip' }, ora: { file: 'scene.ora', type: 'image/openraster' } } as const;

export function sceneRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.post('/scenes', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object such as {"image": "a_…"} (the id POST /api/uploads gave) with content-type application/json');
    const parsed = sceneInputSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    const image = await ctx.assets.get(input.image);
    if (!image) throw badRequest(`no image "${input.image}": upload it first (POST /api/uploads) and send the id it returns`);
    const pools = Object.keys(ctx.config.gpuPools);
    if (input.backend === 'comfyui' && input.pool && !pools.includes(input.pool)) throw badRequest(`unknown GPU pool "${input.pool}": choose one of ${pools.join(', ')}`);
    if (input.backend === 'comfyui' && !pools.length) throw badRequest('no GPU pool is configured for the comfyui backend: set ATELIER_GPU_POOLS, or use "backend": "openai"');
    if (input.backend === 'openai' && !ctx.config.llm.baseUrl) throw badRequest('no OpenAI-compatible endpoint is configured for the openai backend: set OPENAI_BASE_URL, or use "backend": "comfyui"');
    const id = `scene-${crypto.randomUUID()}`;
    const title = input.title || `Scene of ${String((image.meta as { name?: string }).name ?? input.image)}`;
    const body = { ...req.body, title };
    await ctx.jobs.register({ id, pipeline: 'scene', title, stage: 'queued', inputSummary: { ...input, title }, project: input.project, correlationId: req.correlationId });
    const handle = await ctx.temporal.workflow.start('sceneWorkflow', {
      taskQueue: MAIN_TASK_QUEUE, workflowId: id, args: [body], memo: { correlationId: req.correlationId },
      searchAttributes: { AtelierPipeline: ['scene'], AtelierStage: ['queued'], AtelierProject: [input.project ?? 'default'] },
    }).catch(async (error) => {
      await ctx.jobs.update(id, { status: 'FAILED', stage: 'failed', error: `the workflow could not be started: ${(error as Error).message}` });
      throw error;
    });
    req.log.info({ jobId: id }, 'scene job started');
    res.status(202).json({ id, runId: handle.firstExecutionRunId, links: { job: `/api/jobs/${id}`, page: `/scenes/${id}`, events: `/api/jobs/${id}/events`, temporal: temporalWebUrl(ctx, id) } });
  });

  router.get('/scenes/:id/export', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const format = String(req.query.format ?? 'zip');
    if (format !== 'zip' && format !== 'ora') throw badRequest('format must be zip or ora');
    const job = await ctx.jobs.get(id);
    if (!job || job.pipeline !== 'scene') throw notFound(`no scene "${id}": list scenes with GET /api/jobs?pipeline=scene`);
    const wanted = FORMATS[format];
    const asset = (await ctx.assets.forJob(id)).find((a) => a.kind === 'exports' && a.relativePath.endsWith(`/${wanted.file}`));
    if (!asset) throw new HttpError(409, `scene "${id}" has no export yet (it is ${job.status.toLowerCase()}, stage ${job.stage}): the ZIP and the .ora are written when every step is done`);
    const name = `${(job.title || id).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'scene'}.${format}`;
    res.setHeader('content-type', wanted.type);
    res.attachment(name);
    ctx.store.absolute(asset.relativePath); // refuses a path that leaves DATA_DIR
    // relative to DATA_DIR, so `dotfiles` judges the asset's own path, not DATA_DIR's (`.data` by default)
    await new Promise<void>((resolve, reject) => res.sendFile(asset.relativePath, { root: ctx.store.root, dotfiles: 'deny' }, (error) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(notFound(`the ${format} export of "${id}" is recorded but its file is gone from DATA_DIR`));
      reject(error);
    }));
  });

  return router;
}

// POST /generate: check the input, record the job, start the workflow. The API never runs AI work.
import { Router } from 'express';
import crypto from 'node:crypto';
import type { ApiContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { generateInputSchema, describeIssues, generateTemplateValues } from '../../core/generate-input.ts';
import { pickTemplate } from '../../core/templates/catalogue.ts';
import { TemplateError } from '../../core/templates/manifest.ts';
import { buildGraph } from '../../core/templates/graph.ts';
import { imageValues } from '../../core/templates/values.ts';
import { checkAgainstServer, ServerMismatchError } from '../../core/templates/server.ts';
import { poolObjectInfo } from '../comfy-servers.ts';
import { MAIN_TASK_QUEUE } from '../../workflows/messages.ts';
import { temporalWebUrl } from './jobs.ts';

export function generateRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/generate', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object such as {"prompt": "a lighthouse at dusk"} with content-type application/json');
    const parsed = generateInputSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    const pools = Object.keys(ctx.config.gpuPools);
    if (input.pool && !pools.includes(input.pool)) throw badRequest(`unknown GPU pool "${input.pool}": choose one of ${pools.join(', ')}`);
    const pool = input.pool ?? ctx.config.defaultPool;
    try {
      const snapshot = await ctx.templates.snapshot();
      const template = pickTemplate(snapshot, input.template);
      const values = generateTemplateValues(input, template, snapshot.templates);
      for (const [name, assetId] of imageValues(template, values)) {
        if (!(await ctx.assets.get(assetId))) throw badRequest(`no asset "${assetId}" for ${name}: use the id of an image from GET /api/jobs/:id`);
      }
      // the same check the GPU worker makes before queueing, so a refusal here says the same words;
      // when the pool's ComfyUI does not answer, the worker makes it alone
      const classes = Object.values(buildGraph(template, values)).map((n) => n.class_type);
      const check = async (fresh: boolean) => {
        const { info } = pool ? await poolObjectInfo(ctx, pool, classes, { fresh }) : {};
        if (info) checkAgainstServer(template, buildGraph(template, values), values, info, pool!);
      };
      // a refusal is never based on a description kept from before (a node pack installed since)
      await check(false).catch((error) => (error instanceof ServerMismatchError ? check(true) : Promise.reject(error)));
    } catch (error) {
      if (error instanceof TemplateError) throw badRequest(error.message);
      throw error;
    }
    const id = `generate-${crypto.randomUUID()}`;
    const project = input.project ?? 'default';
    await ctx.jobs.register({ id, pipeline: 'generate', title: input.title || input.prompt.slice(0, 80), stage: 'queued', inputSummary: { ...input }, project: input.project, correlationId: req.correlationId });
    const handle = await ctx.temporal.workflow.start('generateWorkflow', {
      taskQueue: MAIN_TASK_QUEUE,
      workflowId: id,
      args: [req.body],
      memo: { correlationId: req.correlationId },
      searchAttributes: { AtelierPipeline: ['generate'], AtelierStage: ['queued'], AtelierProject: [project] },
    }).catch(async (error) => {
      await ctx.jobs.update(id, { status: 'FAILED', stage: 'failed', error: `the workflow could not be started: ${(error as Error).message}` });
      throw error;
    });
    req.log.info({ jobId: id }, 'generate job started');
    res.status(202).json({ id, runId: handle.firstExecutionRunId, links: { job: `/api/jobs/${id}`, events: `/api/jobs/${id}/events`, temporal: temporalWebUrl(ctx, id) } });
  });
  return router;
}

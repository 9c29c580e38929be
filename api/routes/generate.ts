// POST /generate: check the input, record the job, start the workflow. The API never runs AI work.
import { Router } from 'express';
import crypto from 'node:crypto';
import type { ApiContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { generateInputSchema, describeIssues } from '../../core/generate-input.ts';
import { checkTemplateInput, findTemplate, TemplateError } from '../../activities/templates.ts';
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
    try {
      checkTemplateInput(await findTemplate(input.template, ctx.config.templatesDir), input);
    } catch (error) {
      if (error instanceof TemplateError) throw badRequest(error.message);
      throw error;
    }
    if (input.image && !(await ctx.assets.get(input.image))) throw badRequest(`no asset "${input.image}": use the id of an image from GET /api/jobs/:id`);
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

// The sprites pipeline over HTTP: start a job, read the library of kept sprites, deploy a job's kept sprites into a
// Bevy project (or take them out) through a short workflow whose result the request waits for.
import { Router } from 'express';
import crypto from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { jobIdParam, temporalWebUrl } from './jobs.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { paletteChoice, spritesInputSchema } from '../../core/sprites-input.ts';
import { checkProjectPath, DeployRefused } from '../../core/bevy-roots.ts';
import { pickTemplate } from '../../core/templates/catalogue.ts';
import { TemplateError } from '../../core/templates/manifest.ts';
import { SPRITE_STYLES } from '../../core/sprites-input.ts';
import { MAIN_TASK_QUEUE } from '../../workflows/messages.ts';
import type { DeploymentSummary } from '../../workflows/sprites-state.ts';

const deployBody = z.object({
  project: z.string({ error: 'project is required: the Bevy project folder (an absolute path inside ATELIER_BEVY_ROOTS)' }).trim().min(1, 'project is empty: give the Bevy project folder').max(1000),
  force: z.boolean({ error: 'force must be true or false' }).default(false),
  dryRun: z.boolean({ error: 'dryRun must be true or false' }).default(false),
}, { error: 'send a JSON object such as {"project": "/home/me/games/my-game"}' }).strict();

const libraryQuery = z.object({
  project: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1 to 500').max(500, 'limit must be 1 to 500').default(100),
}).strict();

export function spriteRoutes(ctx: ApiContext): Router {
  const router = Router();
  const projectPath = (dir: string) => {
    try {
      return checkProjectPath(dir, ctx.config.bevyRoots);
    } catch (error) {
      if (error instanceof DeployRefused) throw badRequest(error.message);
      throw error;
    }
  };

  router.post('/sprites', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object such as {"prompts": ["a medieval knight"], "style": "16bit"} with content-type application/json');
    const parsed = spritesInputSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    const pools = Object.keys(ctx.config.gpuPools);
    if (input.pool && !pools.includes(input.pool)) throw badRequest(`unknown GPU pool "${input.pool}": choose one of ${pools.join(', ')}`);
    try {
      pickTemplate(await ctx.templates.snapshot(), input.template ?? SPRITE_STYLES[input.style].template);
    } catch (error) {
      if (error instanceof TemplateError) throw badRequest(error.message);
      throw error;
    }
    const palette = paletteChoice(input);
    if (palette.kind === 'upload' && !(await ctx.assets.get(palette.assetId))) throw badRequest(`no asset "${palette.assetId}" for the palette: upload the palette PNG first (POST /api/uploads) and pass the id it returns`);
    if (input.deploy) projectPath(input.deploy.project);
    const id = `sprites-${crypto.randomUUID()}`;
    const first = input.prompt ?? (typeof input.prompts![0] === 'string' ? input.prompts![0] : input.prompts![0]!.prompt);
    const title = input.title || first.slice(0, 80);
    const project = input.project ?? 'default';
    await ctx.jobs.register({ id, pipeline: 'sprites', title, stage: 'queued', inputSummary: { ...input }, project: input.project, correlationId: req.correlationId });
    const handle = await ctx.temporal.workflow.start('spritesWorkflow', {
      taskQueue: MAIN_TASK_QUEUE, workflowId: id, args: [req.body], memo: { correlationId: req.correlationId },
      searchAttributes: { AtelierPipeline: ['sprites'], AtelierStage: ['queued'], AtelierProject: [project] },
    }).catch(async (error) => {
      await ctx.jobs.update(id, { status: 'FAILED', stage: 'failed', error: `the workflow could not be started: ${(error as Error).message}` });
      throw error;
    });
    req.log.info({ jobId: id }, 'sprites job started');
    res.status(202).json({ id, runId: handle.firstExecutionRunId, links: { job: `/api/jobs/${id}`, events: `/api/jobs/${id}/events`, page: `/sprites/${id}`, temporal: temporalWebUrl(ctx, id) } });
  });

  router.get('/sprites', async (req, res) => {
    const parsed = libraryQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const rows = await ctx.sprites.list(parsed.data);
    res.json({ sprites: rows.map((r) => ({ ...r, url: `/api/assets/${r.assetId}`, previewUrl: `/api/assets/${r.previewAssetId}` })) });
  });

  /** what the deploy dialog offers: the registered roots and the folders deployed into before */
  router.get('/sprites/projects', async (_req, res) => {
    res.json({ roots: ctx.config.bevyRoots, deployedTo: await ctx.sprites.knownProjectDirs(), libraries: await ctx.sprites.projects() });
  });

  router.get('/sprites/:id/deployments', async (req, res) => {
    const id = jobIdParam(req.params.id);
    res.json({ deployments: await ctx.sprites.deployments(id) });
  });

  const deployment = (action: 'deploy' | 'undeploy') => router.post(`/sprites/:id/${action}`, async (req, res) => {
    const id = jobIdParam(req.params.id);
    const parsed = deployBody.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const project = projectPath(parsed.data.project);
    const job = await ctx.jobs.get(id);
    if (!job || job.pipeline !== 'sprites') throw notFound(`no sprites job "${id}": list them with GET /api/jobs?pipeline=sprites`);
    if (action === 'deploy' && ['RUNNING', 'PAUSED'].includes(job.status)) throw new HttpError(409, `job "${id}" is still running: review its sprites first; a deploy takes the kept sprites of a finished job`);
    try {
      const result: DeploymentSummary = await ctx.temporal.withDeadline(Date.now() + 60_000, () => ctx.temporal.workflow.execute('spritesDeployWorkflow', {
        taskQueue: MAIN_TASK_QUEUE, workflowId: `sprites-${action}-${crypto.randomUUID()}`,
        args: [{ jobId: id, project, action, force: parsed.data.force, dryRun: parsed.data.dryRun }], memo: { correlationId: req.correlationId },
      }));
      req.log.info({ jobId: id, project, action, dryRun: parsed.data.dryRun, files: result.files.length }, `sprites ${action}`);
      res.json(result);
    } catch (error) {
      if (error instanceof WorkflowFailedError) {
        let cause: any = error.cause;
        while (cause?.cause && !cause.type) cause = cause.cause;
        throw new HttpError(cause?.type === 'DeployBusy' ? 503 : 409, String(cause?.message ?? error.message));
      }
      if (/deadline/i.test(String((error as Error).message))) throw new HttpError(503, `the ${action} did not finish within 60 s: is the main worker running? Try again`);
      throw error;
    }
  });
  deployment('deploy');
  deployment('undeploy');

  return router;
}

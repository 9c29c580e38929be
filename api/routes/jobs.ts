// Jobs: list, one job with its workflow's live state, signals (pause/resume) and cancel.
import { Router } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound, HttpError } from '../errors.ts';
import { isSafeId } from '../../core/store.ts';
import { CursorError, hasEnded, type JobStatus } from '../../db/jobs.ts';
import type { JobRow } from '../../db/schema.ts';
import { stateQuery, pauseSignal, resumeSignal, type PipelineState } from '../../workflows/messages.ts';
import { describeIssues } from '../../core/generate-input.ts';

const listQuery = z.object({
  pipeline: z.enum(['generate', 'scene', 'lora', 'campaign', 'sprites'], { error: 'pipeline must be generate, scene, lora, campaign or sprites' }).optional(),
  status: z.enum(['RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'], { error: 'status must be RUNNING, PAUSED, COMPLETED, FAILED or CANCELLED' }).optional(),
  stage: z.string().max(64).optional(),
  q: z.string().max(200, 'q must be at most 200 characters').optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1 to 200').max(200, 'limit must be 1 to 200').default(50),
}).strict();

export function jobIdParam(id: string): string {
  if (!isSafeId(id)) throw badRequest(`"${id.slice(0, 80)}" is not a job id: ids are letters, digits, . _ and - (see GET /api/jobs)`);
  return id;
}

export function temporalWebUrl(ctx: ApiContext, workflowId: string): string | null {
  if (!ctx.config.temporal.uiUrl) return null;
  return `${ctx.config.temporal.uiUrl}/namespaces/${encodeURIComponent(ctx.config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export async function liveState(ctx: ApiContext, id: string): Promise<PipelineState | null> {
  try {
    // a query needs a worker (a finished job's history is replayed): never hold the page on a stopped one
    return await ctx.temporal.withDeadline(Date.now() + 3000, () => ctx.temporal.workflow.getHandle(id).query(stateQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    ctx.logger.debug({ err: (error as Error).message, jobId: id }, 'state query failed');
    return null;
  }
}

/**
 * The workflow's state as its job ended. A workflow terminated in Temporal (or past its execution timeout) never ran
 * its own ending, so its state stays as it was, RUNNING; its record says how it ended (workers/job-closures.ts), and
 * the state is told so the way a cancelled workflow tells its own: the steps that had not ended, cancelled or skipped.
 */
export function stateAsRecorded(job: JobRow | undefined, state: PipelineState | null): PipelineState | null {
  if (!job || !state || !hasEnded(job.status) || hasEnded(state.status)) return state;
  const unfinished = job.status === 'CANCELLED' ? 'cancelled' : 'skipped';
  return {
    ...state, status: job.status as JobStatus, stage: job.stage, paused: false, poolWait: undefined, awaitingReview: [], error: job.error ?? state.error,
    steps: state.steps.map((step) => (['running', 'pending', 'awaiting-review'].includes(step.status) ? { ...step, status: unfinished } : step)),
  };
}

export function jobRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/jobs', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const { q, ...filter } = parsed.data;
    try {
      const page = await ctx.jobs.list({ ...filter, text: q });
      res.json({ jobs: page.jobs.map((job) => ({ ...job, links: { temporal: temporalWebUrl(ctx, job.id) } })), nextCursor: page.nextCursor });
    } catch (error) {
      if (error instanceof CursorError) throw badRequest(error.message);
      throw error;
    }
  });

  router.get('/jobs/:id', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const job = await ctx.jobs.get(id);
    const state = stateAsRecorded(job, await liveState(ctx, id));
    if (!job && !state) throw notFound(`no job "${id}": list jobs with GET /api/jobs`);
    const assets = job ? await ctx.assets.forJob(id) : [];
    res.json({ job, state, assets: assets.map((a) => ({ ...a, url: `/api/assets/${a.id}` })), links: { temporal: temporalWebUrl(ctx, id) } });
  });

  const signal = (name: 'pause' | 'resume', definition: typeof pauseSignal | typeof resumeSignal) =>
    router.post(`/jobs/:id/${name}`, async (req, res) => {
      const id = jobIdParam(req.params.id);
      await running(ctx, id, name);
      await ctx.temporal.workflow.getHandle(id).signal(definition);
      res.status(202).json({ id, requested: name });
    });
  signal('pause', pauseSignal);
  signal('resume', resumeSignal);

  router.post('/jobs/:id/cancel', async (req, res) => {
    const id = jobIdParam(req.params.id);
    await running(ctx, id, 'cancel');
    await ctx.temporal.workflow.getHandle(id).cancel();
    res.status(202).json({ id, requested: 'cancel' });
  });

  return router;
}

async function running(ctx: ApiContext, id: string, action: string): Promise<void> {
  try {
    const description = await ctx.temporal.workflow.getHandle(id).describe();
    if (description.status.name !== 'RUNNING') throw new HttpError(409, `job "${id}" has ended (${description.status.name}): there is nothing to ${action}`);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound(`no job "${id}": list jobs with GET /api/jobs`);
    throw error;
  }
}

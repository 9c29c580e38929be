// Campaigns: start one from a premise, list them, read one (outline, chapters, illustrations, files), download
// the pack (ZIP) and the printable handout, and ask for one illustration again. The API never runs AI work.
import { Router, type Response } from 'express';
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { jobIdParam, liveState, stateAsRecorded, temporalWebUrl } from './jobs.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { campaignInputSchema, provisionalTitle, regenerateInputSchema } from '../../core/campaign/premise.ts';
import { campaignRepository } from '../../db/campaigns.ts';
import { MAIN_TASK_QUEUE } from '../../workflows/messages.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1, 'limit must be 1 to 200').max(200, 'limit must be 1 to 200').default(50),
  before: z.string().datetime({ message: 'before must be an ISO date (the createdAt of the last campaign you have)' }).optional(),
}).strict();

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'campaign';

export function campaignRoutes(ctx: ApiContext): Router {
  const router = Router();
  const campaigns = campaignRepository(ctx.database.db);

  const requireCampaign = async (raw: string) => {
    const id = jobIdParam(raw);
    const campaign = await campaigns.get(id);
    if (!campaign) throw notFound(`no campaign "${id}": list campaigns with GET /api/campaigns`);
    return campaign;
  };

  router.post('/campaigns', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object such as {"premise": "a heist in a city of canals", "sessions": 3}');
    const parsed = campaignInputSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    const pools = Object.keys(ctx.config.gpuPools);
    if (input.pool && !pools.includes(input.pool)) throw badRequest(`unknown GPU pool "${input.pool}": choose one of ${pools.join(', ') || '(none configured)'}`);
    if (input.illustrate !== 'none' && !pools.length) throw badRequest('no GPU pool is configured for the illustrations: set ATELIER_GPU_POOLS, or send "illustrate": "none"');
    const id = `campaign-${crypto.randomUUID()}`;
    await ctx.jobs.register({ id, pipeline: 'campaign', title: provisionalTitle(input), stage: 'queued', inputSummary: { ...input }, project: input.project, correlationId: req.correlationId });
    // recorded here too (the workflow's first activity does the same), so the campaign's page opens at once
    await campaigns.register(id, provisionalTitle(input), { ...input });
    await ctx.temporal.workflow.start('campaignWorkflow', {
      taskQueue: MAIN_TASK_QUEUE, workflowId: id, args: [req.body], memo: { correlationId: req.correlationId },
      searchAttributes: { AtelierPipeline: ['campaign'], AtelierStage: ['queued'], AtelierProject: [input.project ?? 'default'] },
    }).catch(async (error) => {
      await ctx.jobs.update(id, { status: 'FAILED', stage: 'failed', error: `the workflow could not be started: ${(error as Error).message}` });
      throw error;
    });
    req.log.info({ jobId: id }, 'campaign started');
    res.status(202).json({ id, links: { campaign: `/api/campaigns/${id}`, job: `/api/jobs/${id}`, events: `/api/jobs/${id}/events`, temporal: temporalWebUrl(ctx, id) } });
  });

  router.get('/campaigns', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const rows = await campaigns.list(parsed.data.limit, parsed.data.before ? new Date(parsed.data.before) : undefined);
    res.json({ campaigns: rows, nextBefore: rows.length === parsed.data.limit ? rows.at(-1)!.createdAt : null });
  });

  router.get('/campaigns/:id', async (req, res) => {
    const campaign = await requireCampaign(req.params.id);
    const [job, live, chapters, illustrations] = await Promise.all([ctx.jobs.get(campaign.jobId), liveState(ctx, campaign.jobId), campaigns.chapters(campaign.jobId), campaigns.illustrations(campaign.jobId)]);
    const state = stateAsRecorded(job, live);
    const url = (assetId?: string) => (assetId ? `/api/assets/${assetId}` : null);
    res.json({
      campaign, job, state,
      chapters: chapters.map((c) => ({ sceneId: c.sceneId, text: c.text, writes: c.writes, writtenAt: c.writtenAt })),
      illustrations: illustrations.map((i) => ({ ...i, url: url(i.assetId) })),
      links: {
        export: campaign.files.zip ? `/api/campaigns/${campaign.jobId}/export` : null,
        handout: campaign.files.handout ? `/api/campaigns/${campaign.jobId}/handout` : null,
        svg: url(campaign.files.svg), png: url(campaign.files.png), mermaid: url(campaign.files.mermaid),
        temporal: temporalWebUrl(ctx, campaign.jobId),
      },
    });
  });

  const sendFile = async (res: Response, assetId: string | undefined, what: string, stage: string | undefined, name: string, attachment: boolean) => {
    const asset = assetId ? await ctx.assets.get(assetId) : undefined;
    if (!asset) throw new HttpError(409, `the ${what} is not ready yet (the campaign is at stage "${stage ?? 'unknown'}"): it is written at the end of the campaign`);
    res.setHeader('content-type', asset.mime);
    res.setHeader('cache-control', 'no-cache');
    if (attachment) res.attachment(name);
    ctx.store.absolute(asset.relativePath); // refuses a path that leaves DATA_DIR
    // relative to DATA_DIR, so `dotfiles` judges the asset's own path, not DATA_DIR's (`.data` by default)
    await new Promise<void>((resolve, reject) => res.sendFile(asset.relativePath, { root: ctx.store.root, dotfiles: 'deny' }, (error) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new HttpError(410, `the ${what} is recorded but its file is gone from DATA_DIR (${asset.relativePath})`));
      reject(error);
    }));
  };

  router.get('/campaigns/:id/export', async (req, res) => {
    const campaign = await requireCampaign(req.params.id);
    const job = await ctx.jobs.get(campaign.jobId);
    await sendFile(res, campaign.files.zip, 'pack', job?.stage, `${slug(campaign.title)}.zip`, true);
  });

  router.get('/campaigns/:id/handout', async (req, res) => {
    const campaign = await requireCampaign(req.params.id);
    const job = await ctx.jobs.get(campaign.jobId);
    await sendFile(res, campaign.files.handout, 'handout', job?.stage, `${slug(campaign.title)}-handout.html`, req.query.download !== undefined);
  });

  router.post('/campaigns/:id/illustrations/:target/regenerate', async (req, res) => {
    const campaign = await requireCampaign(req.params.id);
    const parsed = regenerateInputSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const current = await campaigns.illustration(campaign.jobId, req.params.target);
    if (!current) throw notFound(`campaign "${campaign.jobId}" has no illustration "${req.params.target.slice(0, 80)}": GET /api/campaigns/${campaign.jobId} lists them`);
    const job = await ctx.jobs.get(campaign.jobId);
    if (job?.status !== 'COMPLETED') throw new HttpError(409, `campaign "${campaign.jobId}" is ${job?.status ?? 'unknown'}: pictures can be made again once it has completed`);
    const id = `${campaign.jobId}.again.${current.target}.r${current.revision + 1}`;
    try {
      await ctx.temporal.workflow.start('campaignIllustrationWorkflow', {
        taskQueue: MAIN_TASK_QUEUE, workflowId: id, args: [{ campaignId: campaign.jobId, target: current.target, prompt: parsed.data.prompt }], memo: { correlationId: req.correlationId },
        searchAttributes: { AtelierPipeline: ['campaign'], AtelierStage: ['queued'], AtelierProject: [String((campaign.premise as { project?: string }).project ?? 'default')] },
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, `"${current.label}" is already being made again (job ${id}): wait for it to finish`);
      throw error;
    }
    res.status(202).json({ id, target: current.target, revision: current.revision + 1, links: { job: `/api/jobs/${id}`, events: `/api/jobs/${campaign.jobId}/events` } });
  });

  return router;
}

// POST /jobs/:id/review: a person's decision for a step awaiting review, through the workflow's `review` update.
// The validator's refusal (not awaiting, not a decision the step takes) is a 409 with its reason.
import { Router } from 'express';
import crypto from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { ApiContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { jobIdParam } from './jobs.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { reviewInputSchema } from '../../core/review-input.ts';
import { reviewUpdate, type ReviewDecision } from '../../workflows/messages.ts';

export function reviewRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/jobs/:id/review', async (req, res) => {
    const id = jobIdParam(req.params.id);
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object such as {"stepId": "step-1", "decision": "approve"}');
    const parsed = reviewInputSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    let maskSize: ReviewDecision['maskSize'];
    for (const assetId of [input.maskAssetId, ...(input.assetIds ?? [])].filter(Boolean) as string[]) {
      const asset = await ctx.assets.get(assetId);
      if (!asset) throw badRequest(`no asset "${assetId}": upload the file first (POST /api/uploads) and send the id it returns`);
      if (assetId === input.maskAssetId && asset.width && asset.height) maskSize = { width: asset.width, height: asset.height };
    }
    const decision: ReviewDecision = { ...input, ...(maskSize ? { maskSize } : {}), decisionId: input.decisionId ?? crypto.randomUUID(), source: input.source ?? 'api' };
    const handle = ctx.temporal.workflow.getHandle(id);
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') throw new HttpError(409, `job "${id}" has ended (${description.status.name}): there is nothing to review`);
      // the update id makes a repeated request (a retry, a double click) one decision at the server too
      const state = await ctx.temporal.withDeadline(Date.now() + 20_000, () => handle.executeUpdate(reviewUpdate, { args: [decision], updateId: `review-${decision.decisionId}` }));
      req.log.info({ jobId: id, step: decision.stepId, decision: decision.decision, decisionId: decision.decisionId }, 'review decision taken');
      res.json({ id, decisionId: decision.decisionId, state });
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (error instanceof WorkflowNotFoundError) throw notFound(`no job "${id}": list jobs with GET /api/jobs`);
      if (error instanceof WorkflowUpdateFailedError) throw new HttpError(409, String((error.cause as Error | undefined)?.message ?? error.message));
      if (/no (registered )?handler for update|update.*not registered|Unknown update/i.test(String((error as Error).message))) throw new HttpError(409, `nothing in job "${id}" is awaiting a review now`);
      if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || /deadline/i.test(String((error as Error).message))) {
        throw new HttpError(503, `job "${id}" did not take the decision within 20 s: is its main worker running? Send it again (the same decisionId "${decision.decisionId}" counts once)`);
      }
      throw error;
    }
  });
  return router;
}

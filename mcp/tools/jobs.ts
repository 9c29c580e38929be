// Tools for any job, whatever its pipeline: status (and waiting on it), listing, review decisions, cancel, assets.
import { z } from 'zod';
import crypto from 'node:crypto';
import { describeJob, getJob, guarded, imagePreview, json, text, waitForJob, type ToolModule } from './context.ts';
import { DECISIONS, DECISION_NAMES } from '../../workflows/review-decisions.ts';

const jobId = z.string().min(1).max(200).describe('The job id, as returned when the job was started or by list_jobs (e.g. "sprites-…" or "generate-…").');

export const jobTools: ToolModule = (server, ctx) => {
  server.registerTool('job_status', {
    title: 'Job status',
    description: 'The state of one job: its status, stage, steps, and the steps awaiting a person\'s review (with previews). '
      + 'Set wait to "review" to wait until the job needs a decision or ends, or to "finish" to wait until it ends; progress is reported while waiting.',
    inputSchema: {
      id: jobId,
      wait: z.enum(['none', 'review', 'finish']).default('none').describe('"none" answers at once; "review" waits until something awaits review and nothing else is running (or the job ends); "finish" waits until the job ends.'),
      timeoutSeconds: z.number().int().min(1).max(3600).default(600).describe('How long to wait at most before answering with the state so far.'),
    },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ id, wait, timeoutSeconds }, extra) => {
    const { detail, timedOut } = await waitForJob(ctx, id, wait, extra, timeoutSeconds);
    const previews = await Promise.all((detail.state?.awaitingReview ?? []).slice(0, 8).flatMap((r) => (r.assets?.[0] ? [imagePreview(ctx.api, r.assets[0].id, { pixelArt: r.kind === 'sprite', maxSide: 192 })] : [])));
    return { content: [text(`${timedOut ? `still not done after ${timeoutSeconds} s; ask again to keep waiting\n` : ''}${describeJob(detail, ctx.publicUrl)}`), ...previews, json({ job: detail.job, state: detail.state })] };
  }));

  server.registerTool('list_jobs', {
    title: 'List jobs',
    description: 'Recent jobs, newest first, with their pipeline, status and stage.',
    inputSchema: {
      pipeline: z.enum(['generate', 'scene', 'lora', 'campaign', 'sprites']).optional().describe('Only jobs of this pipeline.'),
      status: z.enum(['RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED']).optional().describe('Only jobs with this status.'),
      limit: z.number().int().min(1).max(200).default(20).describe('How many jobs at most.'),
    },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ pipeline, status, limit }) => {
    const query = new URLSearchParams(Object.entries({ pipeline, status, limit: String(limit) }).filter(([, v]) => v) as [string, string][]);
    const page = await ctx.api.get<{ jobs: { id: string; pipeline: string; status: string; stage: string; title: string; createdAt: string }[] }>(`/api/jobs?${query}`);
    const lines = page.jobs.map((j) => `${j.id}  ${j.pipeline}  ${j.status}  ${j.stage}  ${j.createdAt.slice(0, 19)}  ${j.title}`);
    return { content: [text(lines.length ? lines.join('\n') : 'no jobs match')] };
  }));

  server.registerTool('review_step', {
    title: 'Review a step',
    description: 'Decide a step awaiting review (see job_status): approve, retry with a new prompt, keep, discard, regenerate… '
      + 'Several steps can take the same decision at once (stepIds), e.g. keep three sprites. The answer is the job\'s state after the decision.',
    inputSchema: {
      id: jobId,
      stepId: z.string().min(1).max(200).optional().describe('The step awaiting review (job_status lists them as awaiting review: step "…").'),
      stepIds: z.array(z.string().min(1).max(200)).max(500).optional().describe('Several steps taking the same decision.'),
      decision: z.enum(DECISION_NAMES).describe(`What to do: ${Object.entries(DECISIONS).map(([name, d]) => `${name} (${d.help})`).join('; ')}. Each step lists the decisions it takes.`),
      prompt: z.string().max(4000).optional().describe('The new prompt, for retry (required) or regenerate (optional).'),
      note: z.string().max(1000).optional().describe('A note kept with the decision.'),
    },
  }, guarded(async ({ id, stepId, stepIds, decision, prompt, note }) => {
    const steps = [...(stepId ? [stepId] : []), ...(stepIds ?? [])];
    if (!steps.length) return { isError: true, content: [text('name the step: stepId (or stepIds for several); job_status lists the steps awaiting review')] };
    const done: string[] = [];
    for (const step of steps) {
      try {
        await ctx.api.post(`/api/jobs/${encodeURIComponent(id)}/review`, { stepId: step, decision, prompt, note, source: 'mcp', decisionId: `mcp-${crypto.randomUUID()}` });
        done.push(step);
      } catch (error) {
        if (!done.length) throw error;
        return { isError: true, content: [text(`${decision} taken for ${done.join(', ')}; refused for ${step}: ${(error as Error).message}`)] };
      }
    }
    const detail = await getJob(ctx.api, id);
    return { content: [text(`${decision} taken for ${done.join(', ')}\n${describeJob(detail, ctx.publicUrl)}`)] };
  }));

  for (const [name, action, help] of [['cancel_job', 'cancel', 'Cancel a running job: work in flight stops (a prompt at ComfyUI is interrupted).'], ['pause_job', 'pause', 'Pause a job: nothing new starts until resume_job.'], ['resume_job', 'resume', 'Resume a paused job: its waiting work starts again.']] as const) {
    server.registerTool(name, { title: `${action[0]!.toUpperCase()}${action.slice(1)} a job`, description: help, inputSchema: { id: jobId }, annotations: { destructiveHint: action === 'cancel' } }, guarded(async ({ id }) => {
      await ctx.api.post(`/api/jobs/${encodeURIComponent(id)}/${action}`);
      return { content: [text(`${action} requested for ${id}`)] };
    }));
  }

  server.registerTool('list_assets', {
    title: 'List assets',
    description: 'The files of a job (generated images, sprites, previews…) with their ids, kinds and sizes; view one with view_asset.',
    inputSchema: { id: jobId, kind: z.string().max(40).optional().describe('Only assets of this kind (generations, sprites, …).') },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ id, kind }) => {
    const detail = await getJob(ctx.api, id);
    const assets = detail.assets.filter((a) => !kind || a.kind === kind);
    return { content: [text(assets.length ? assets.map((a) => `${a.id}  ${a.kind}  ${a.width}×${a.height}  ${a.relativePath}`).join('\n') : `job ${id} has no assets${kind ? ` of kind ${kind}` : ''} yet`)] };
  }));

  server.registerTool('view_asset', {
    title: 'View an asset',
    description: 'A small preview of one image (at most maxSide pixels; pixel art is scaled without blur).',
    inputSchema: {
      assetId: z.string().regex(/^a_[0-9a-f]{24}$/).describe('The asset id (a_ and 24 hex digits) from list_assets or job_status.'),
      maxSide: z.number().int().min(32).max(512).default(256).describe('The longest side of the preview in pixels.'),
      pixelArt: z.boolean().default(false).describe('Scale with nearest-neighbour (for sprites).'),
    },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ assetId, maxSide, pixelArt }) => ({ content: [await imagePreview(ctx.api, assetId, { maxSide, pixelArt })] })));
};

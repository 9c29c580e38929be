// What every pipeline's MCP tools share: the Atelier HTTP API (so a tool's error is the API's own sentence), and
// helpers for results, image previews and waiting on a job with progress notifications.
import sharp from 'sharp';
import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ImageContent, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { CliError, type ApiClient } from '../../cli/api-client.ts';
import { followEvents } from '../../cli/sse.ts';
import type { PipelineState } from '../../workflows/messages.ts';

export interface ToolContext {
  api: ApiClient;
  /** where people open Atelier's pages (links in results) */
  publicUrl: string;
}

/** One pipeline's tools: a file under mcp/tools/ exports one of these, listed in mcp/tools/index.ts. */
export type ToolModule = (server: McpServer, ctx: ToolContext) => void;

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const text = (value: string): CallToolResult['content'][number] => ({ type: 'text', text: value });
export const json = (value: unknown): CallToolResult['content'][number] => text(JSON.stringify(value, null, 2));

/** an API refusal (4xx) or an unreachable API becomes a tool error with the API's own words */
export function guarded<A extends unknown[]>(run: (...args: A) => Promise<CallToolResult>): (...args: A) => Promise<CallToolResult> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      if (error instanceof CliError) return { isError: true, content: [text(error.message)] };
      throw error;
    }
  };
}

/** A small preview of an asset as MCP image content: at most `maxSide` pixels, pixel art scaled without blur. */
export async function imagePreview(api: ApiClient, assetId: string, options: { maxSide?: number; pixelArt?: boolean } = {}): Promise<ImageContent> {
  const maxSide = options.maxSide ?? 256;
  const bytes = Buffer.from(await (await api.request(`/api/assets/${encodeURIComponent(assetId)}`)).arrayBuffer());
  const meta = await sharp(bytes).metadata();
  const side = Math.max(meta.width ?? 0, meta.height ?? 0);
  let image = sharp(bytes);
  if (side > maxSide) image = image.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: options.pixelArt ? 'nearest' : 'lanczos3' });
  else if (options.pixelArt && side > 0 && side * 2 <= maxSide) {
    const factor = Math.floor(maxSide / side);
    image = image.resize({ width: (meta.width ?? 1) * factor, height: (meta.height ?? 1) * factor, kernel: 'nearest' });
  }
  const png = await image.png().toBuffer();
  return { type: 'image', data: png.toString('base64'), mimeType: 'image/png' };
}

export interface JobDetail { job: { id: string; pipeline: string; title: string; status: string; stage: string; error: string | null } | null; state: (PipelineState & Record<string, any>) | null; assets: { id: string; kind: string; relativePath: string; width: number | null; height: number | null }[] }

export const getJob = (api: ApiClient, id: string) => api.get<JobDetail>(`/api/jobs/${encodeURIComponent(id)}`);

const FINAL = new Set(['job.completed', 'job.failed', 'job.cancelled']);
export type WaitFor = 'none' | 'review' | 'finish';

/** nothing left running and either the job ended or something awaits a person */
function settled(detail: JobDetail, until: WaitFor): boolean {
  const status = detail.state?.status ?? detail.job?.status;
  if (status && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(status)) return true;
  if (until !== 'review' || !detail.state?.awaitingReview.length) return false;
  return !detail.state.steps.some((s) => s.status === 'running' || s.status === 'pending');
}

/**
 * Follows a job until it ends (`finish`) or until what it made awaits review and nothing else is running
 * (`review`), telling the client how far it got (notifications/progress) when it sent a progress token.
 */
export async function waitForJob(ctx: ToolContext, id: string, until: WaitFor, extra: ToolExtra, timeoutSeconds: number): Promise<{ detail: JobDetail; timedOut: boolean }> {
  if (until === 'none') return { detail: await getJob(ctx.api, id), timedOut: false };
  const token = extra._meta?.progressToken;
  const progress = { done: 0, total: 0 };
  const tell = async (message: string) => {
    if (token === undefined) return;
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: progress.done, ...(progress.total ? { total: progress.total } : {}), message } }).catch(() => {});
  };
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const settledNow = new AbortController();
  const signal = AbortSignal.any([timeout, extra.signal, settledNow.signal]);
  let detail = await getJob(ctx.api, id);
  if (settled(detail, until)) return { detail, timedOut: false };
  // events tell the client how far the job got; the job's state (a query, answered after the workflow's task)
  // says when it has settled, so it is read again every second and a half
  const poll = setInterval(() => {
    getJob(ctx.api, id).then((d) => {
      if (!settled(d, until)) return;
      detail = d;
      settledNow.abort();
    }, () => {});
  }, 1500);
  try {
    await followEvents(ctx.api, id, (event) => {
      if (event.type === 'job.started' && typeof event.data.count === 'number') progress.total = event.data.count;
      if (event.type === 'asset.created') progress.done += 1;
      if (['asset.created', 'sprite.pixelated', 'stage', 'review.awaiting'].includes(event.type) || FINAL.has(event.type)) {
        void tell(event.type === 'asset.created' ? `image ${progress.done}${progress.total ? ` of ${progress.total}` : ''} made`
          : event.type === 'review.awaiting' ? `${event.data.title} awaits review` : event.type === 'stage' ? `stage: ${event.data.stage}` : event.type.replace('.', ' '));
      }
      return FINAL.has(event.type) ? false : undefined;
    }, signal).catch((error) => { if (!signal.aborted) throw error; });
  } finally {
    clearInterval(poll);
  }
  detail = await getJob(ctx.api, id);
  return { detail, timedOut: timeout.aborted && !settled(detail, until) };
}

/** the text an assistant reads about a job: status, stage, steps awaiting review and how to decide them */
export function describeJob(detail: JobDetail, publicUrl: string): string {
  const state = detail.state;
  const id = detail.job?.id ?? '?';
  const lines = [
    `job ${id} (${detail.job?.pipeline ?? state?.pipeline}): ${state?.status ?? detail.job?.status}, stage ${state?.stage ?? detail.job?.stage}${state?.paused ? ' (paused)' : ''}`,
    detail.job?.title ? `title: ${detail.job.title}` : '',
    state?.error ?? detail.job?.error ? `error: ${state?.error ?? detail.job?.error}` : '',
    ...(state?.awaitingReview ?? []).map((r) => `awaiting review: step "${r.stepId}" (${r.title}): ${r.reason}; decisions: ${r.decisions.join(', ')}`),
    state?.awaitingReview.length ? 'decide with the review_step tool (several steps at once with stepIds)' : '',
    `page: ${publicUrl}/${detail.job?.pipeline === 'sprites' ? 'sprites' : 'jobs'}/${id}`,
  ];
  return lines.filter(Boolean).join('\n');
}

export type { ToolCallback };

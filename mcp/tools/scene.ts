// The scene pipeline's tools: a picture taken apart into layers, and where its exports are.
import { z } from 'zod';
import { describeJob, guarded, imagePreview, text, waitForJob, type ToolContext, type ToolModule } from './context.ts';

const waitFor = z.enum(['none', 'review', 'finish']).default('review').describe('"review" waits until a step (or the plan) awaits review or the job ends; "finish" until it ends; "none" answers at once.');

/** an image the assistant holds (base64) becomes an upload (checked by the API like any other) */
async function upload(ctx: ToolContext, imageBase64: string, name: string): Promise<string> {
  const bytes = Buffer.from(imageBase64, 'base64');
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(bytes)]), name);
  const response = await ctx.api.request('/api/uploads', { method: 'POST', body: form });
  return ((await response.json()) as { uploads: { id: string }[] }).uploads[0]!.id;
}

export const sceneTools: ToolModule = (server, ctx) => {
  server.registerTool('extract_layers', {
    title: 'Take a picture apart into layers',
    description: 'Starts a scene job: a vision LLM plans steps (extract an object onto white, remove it leaving a clean plate, remove a background, reframe to an aspect), '
      + 'an image-edit backend runs each, and pixel checks validate them; a failed check (or the plan, with reviewPlan) waits for review_step. '
      + 'The finished job has the layers, a ZIP and an OpenRaster file (scene_export).',
    inputSchema: {
      image: z.string().regex(/^a_[0-9a-f]{24}$/).optional().describe('The picture as an asset id (from POST /api/uploads or another job).'),
      imageBase64: z.string().max(70_000_000).optional().describe('Or the picture itself: a PNG, JPEG or WebP file as base64; it is uploaded first.'),
      imageName: z.string().max(200).default('picture.png').describe('The file name for imageBase64 (its extension says the format).'),
      instructions: z.string().max(2000).optional().describe('What to take apart, in words, e.g. "the lamp and the chair, then reframe to 16:9".'),
      backend: z.enum(['openai', 'comfyui']).optional().describe('Which image-edit backend runs the steps: the OpenAI-compatible endpoint or ComfyUI on a GPU pool.'),
      reviewPlan: z.boolean().default(false).describe('Wait for a person (review_step approve) before running the plan.'),
      review: z.enum(['all', 'failed']).default('failed').describe('"failed": only steps whose checks fail wait for review; "all": every step does.'),
      title: z.string().max(200).optional().describe('A title for the job.'),
      project: z.string().max(64).optional().describe('A short project name that groups jobs.'),
      wait: waitFor,
      timeoutSeconds: z.number().int().min(1).max(3600).default(900).describe('How long to wait at most.'),
    },
  }, guarded(async ({ image, imageBase64, imageName, wait, timeoutSeconds, ...rest }, extra) => {
    if (!image && !imageBase64) return { isError: true, content: [text('give the picture: image (an asset id from POST /api/uploads) or imageBase64 (the PNG, JPEG or WebP file as base64)')] };
    const id = image ?? await upload(ctx, imageBase64!, imageName);
    const started = await ctx.api.post<{ id: string }>('/api/scenes', { image: id, ...rest });
    const { detail, timedOut } = await waitForJob(ctx, started.id, wait, extra, timeoutSeconds);
    const awaiting = (detail.state?.awaitingReview ?? []).slice(0, 4).flatMap((r) => (r.assets?.[0] ? [imagePreview(ctx.api, r.assets[0].id, { maxSide: 256 })] : []));
    return { content: [text(`started ${started.id}${timedOut ? ` (not settled after ${timeoutSeconds} s: follow it with job_status)` : ''}\n${describeJob(detail, ctx.publicUrl)}`), ...(await Promise.all(awaiting))] };
  }));

  server.registerTool('scene_export', {
    title: 'A scene\'s layers and exports',
    description: 'The layers a finished scene job made (small previews) and the links of its ZIP and OpenRaster (.ora) exports (GET with the API token).',
    inputSchema: { id: z.string().min(1).max(200).describe('The scene job id ("scene-…").'), previews: z.number().int().min(0).max(12).default(4).describe('How many layer previews to return.') },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ id, previews }) => {
    const detail = await ctx.api.get<{ job: { status: string } | null; assets: { id: string; kind: string; relativePath: string; width: number | null; height: number | null }[] }>(`/api/jobs/${encodeURIComponent(id)}`);
    const layers = detail.assets.filter((a) => a.kind === 'layers');
    const exported = detail.assets.some((a) => a.kind === 'exports');
    return {
      content: [
        text([
          `scene ${id}: ${detail.job?.status ?? 'unknown'}, ${layers.length} layer image(s)`,
          ...layers.map((a) => `  ${a.id}  ${a.width}×${a.height}  ${a.relativePath.split('/').pop()}`),
          exported ? `exports: ${ctx.publicUrl}/api/scenes/${id}/export?format=zip and ?format=ora (send the API token)` : 'no export yet: the ZIP and the .ora are written when every step is done',
        ].join('\n')),
        ...(await Promise.all(layers.slice(0, previews).map((a) => imagePreview(ctx.api, a.id, { maxSide: 256 })))),
      ],
    };
  }));
};

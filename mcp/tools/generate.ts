// The generate pipeline's tool: prompt → images.
import { z } from 'zod';
import { describeJob, guarded, imagePreview, text, waitForJob, type ToolModule } from './context.ts';

export const generateTools: ToolModule = (server, ctx) => {
  server.registerTool('generate_images', {
    title: 'Generate images',
    description: 'Makes images from a text prompt on the GPU pool (ComfyUI) as a durable job. By default waits for the images and returns small previews; '
      + 'with wait "none" it returns the job id at once (follow it with job_status).',
    inputSchema: {
      prompt: z.string().min(1).max(4000).describe('What the image shows, in words.'),
      negativePrompt: z.string().max(4000).optional().describe('What the image must not show.'),
      count: z.number().int().min(1).max(500).default(1).describe('How many images (each with the next seed).'),
      width: z.number().int().min(64).max(2048).optional().describe('Width in pixels, a multiple of 8 (default 1024).'),
      height: z.number().int().min(64).max(2048).optional().describe('Height in pixels, a multiple of 8 (default 1024).'),
      steps: z.number().int().min(1).max(150).optional().describe('Sampling steps: more is slower and more detailed (default 20).'),
      seed: z.number().int().min(0).optional().describe('Noise seed: the same seed and settings give the same image.'),
      lora: z.string().max(200).optional().describe('A LoRA file on the ComfyUI server.'),
      project: z.string().max(64).optional().describe('A short project name that groups jobs.'),
      wait: z.enum(['none', 'finish']).default('finish').describe('"finish" waits for the images; "none" returns the job id at once.'),
      timeoutSeconds: z.number().int().min(1).max(3600).default(600).describe('How long to wait at most.'),
    },
  }, guarded(async ({ wait, timeoutSeconds, ...body }, extra) => {
    const started = await ctx.api.post<{ id: string }>('/api/generate', body);
    const { detail, timedOut } = await waitForJob(ctx, started.id, wait, extra, timeoutSeconds);
    const images = detail.assets.filter((a) => a.kind === 'generations').slice(0, 4);
    return {
      content: [
        text(`started ${started.id}${timedOut ? ` (not done after ${timeoutSeconds} s: follow it with job_status)` : ''}\n${describeJob(detail, ctx.publicUrl)}`),
        ...(await Promise.all(images.map((a) => imagePreview(ctx.api, a.id)))),
        ...(images.length ? [text(images.map((a) => `${a.id}  ${a.width}×${a.height}`).join('\n'))] : []),
      ],
    };
  }));
};

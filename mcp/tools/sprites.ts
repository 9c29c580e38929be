// The sprites pipeline's tools: make sprites, deploy the kept ones into a Bevy project (and out again), the library.
import { z } from 'zod';
import { describeJob, guarded, imagePreview, json, text, waitForJob, type JobDetail, type ToolContext, type ToolModule } from './context.ts';
import { SPRITE_CATEGORIES, SPRITE_STYLES, SPRITE_STYLE_NAMES } from '../../core/sprites-input.ts';
import { FIXED_PALETTE_NAMES, FIXED_PALETTES } from '../../core/palettes.ts';
import type { DeploymentSummary, SpritesState } from '../../workflows/sprites-state.ts';

const jobId = z.string().min(1).max(200).describe('The sprites job id ("sprites-…"), as generate_sprites returned it.');
const project = z.string().min(1).max(1000).describe('The Bevy project folder: an absolute path inside the roots the operator registered (ATELIER_BEVY_ROOTS); it holds Cargo.toml.');

async function spritesSummary(ctx: ToolContext, detail: JobDetail) {
  const state = detail.state as SpritesState | null;
  const sprites = state?.sprites ?? [];
  const lines = sprites.map((s) => `${s.id}  ${s.status}${s.fileName ? `  → ${s.fileName}.png` : ''}  ${s.category}${s.frames > 1 ? ` (${s.frames} frames)` : ''}  "${s.prompt.slice(0, 60)}"${s.notes?.length ? `  note: ${s.notes.join('; ')}` : ''}`);
  const waiting = sprites.filter((s) => s.status === 'awaiting-review' && s.preview).slice(0, 16);
  const previews = [];
  for (const sprite of waiting) {
    previews.push(text(`${sprite.id}:`));
    previews.push(await imagePreview(ctx.api, sprite.preview!.id, { pixelArt: true, maxSide: sprite.frames > 1 ? 384 : 128 }));
  }
  const deployment = state?.deployment;
  return [
    text([describeJob(detail, ctx.publicUrl), ...lines, waiting.length ? `keep the good ones: review_step {"id": "${detail.job?.id}", "stepIds": [...], "decision": "keep"}; discard or regenerate the others` : ''].filter(Boolean).join('\n')),
    ...previews,
    ...(deployment ? [text('error' in deployment ? `deploy into ${deployment.project} failed: ${deployment.error}` : deploymentText(deployment))] : []),
  ];
}

function deploymentText(result: DeploymentSummary): string {
  return [
    `${result.dryRun ? 'would write' : 'wrote'} into ${result.project}:`,
    ...result.files.map((f) => `  ${f.action} ${f.path}${f.reason ? ` (${f.reason})` : ''}`),
    ...(result.loadLines.length ? ['load them in Bevy with:', ...result.loadLines.flatMap((l) => l.lines.map((line) => `  ${line}`))] : []),
  ].join('\n');
}

export const spriteTools: ToolModule = (server, ctx) => {
  server.registerTool('generate_sprites', {
    title: 'Generate pixel-art sprites',
    description: 'Makes pixel-art game sprites from prompts: each prompt × variants is generated (SDXL + a pixel-art LoRA), keyed to a transparent background, '
      + 'scaled to the grid and reduced to a palette. By default it waits until the sprites await review and returns their previews; then keep, discard or '
      + 'regenerate each with review_step, and write the kept ones into a Bevy project with deploy_sprites (or pass deploy here).',
    inputSchema: {
      prompts: z.array(z.union([
        z.string().min(1).max(4000),
        z.object({ prompt: z.string().min(1).max(4000), category: z.enum(SPRITE_CATEGORIES).optional(), name: z.string().max(64).optional(), frames: z.number().int().min(1).max(16).optional() }),
      ])).min(1).max(64).describe('What to draw, one entry per sprite: "a medieval knight", or {"prompt": "a knight walking", "frames": 4, "name": "knight_walk"} for an animation sheet.'),
      variants: z.number().int().min(1).max(8).default(1).describe('How many different versions of each prompt to make, to choose from.'),
      style: z.enum(SPRITE_STYLE_NAMES).default('16bit').describe(`The look: ${SPRITE_STYLE_NAMES.map((s) => `${s} (${SPRITE_STYLES[s].grid} px, ${SPRITE_STYLES[s].colours} colours)`).join(', ')}.`),
      size: z.union([z.literal(16), z.literal(32), z.literal(48), z.literal(64)]).optional().describe('Sprite size in pixels per side; the style sets it when left out.'),
      palette: z.string().default('auto').describe(`"auto" (the best N colours), a fixed palette (${FIXED_PALETTE_NAMES.map((p) => `${p}: ${FIXED_PALETTES[p].label}`).join(', ')}), or the asset id of an uploaded palette PNG.`),
      colours: z.number().int().min(2).max(256).optional().describe('How many colours for palette "auto"; the style sets it when left out.'),
      category: z.enum(SPRITE_CATEGORIES).default('character').describe('character, item or effect (background made transparent) or tile (fills its square, checked for seams). Sets the folder under assets/.'),
      frames: z.number().int().min(1).max(16).default(1).describe('Animation frames per sprite, packed into one sheet with a Bevy TextureAtlasLayout.'),
      outline: z.boolean().default(false).describe('Draw a 1-pixel outline in the darkest colour.'),
      review: z.boolean().default(true).describe('false keeps every sprite without asking.'),
      project: z.string().max(64).optional().describe('A short name for the game: kept sprites join its library.'),
      deploy: z.object({ project, force: z.boolean().default(false).describe('Overwrite files Atelier did not write.') }).optional().describe('Write the kept sprites into this Bevy project when the job ends.'),
      seed: z.number().int().min(0).optional().describe('Noise seed for repeatable results.'),
      wait: z.enum(['none', 'review', 'finish']).default('review').describe('"review" waits until the sprites await review (or the job ends); "finish" until the job ends; "none" answers at once.'),
      timeoutSeconds: z.number().int().min(1).max(3600).default(900).describe('How long to wait at most.'),
    },
  }, guarded(async ({ wait, timeoutSeconds, ...body }, extra) => {
    const started = await ctx.api.post<{ id: string }>('/api/sprites', body);
    const { detail, timedOut } = await waitForJob(ctx, started.id, wait, extra, timeoutSeconds);
    return { content: [text(`started ${started.id}${timedOut ? ` (not settled after ${timeoutSeconds} s: follow it with job_status)` : ''}`), ...(await spritesSummary(ctx, detail))] };
  }));

  server.registerTool('sprites_status', {
    title: 'Sprites of a job',
    description: 'Each sprite of a sprites job with its status and the previews of those awaiting review (job_status gives the generic view).',
    inputSchema: { id: jobId, wait: z.enum(['none', 'review', 'finish']).default('none').describe('As for job_status.'), timeoutSeconds: z.number().int().min(1).max(3600).default(600).describe('How long to wait at most.') },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ id, wait, timeoutSeconds }, extra) => {
    const { detail } = await waitForJob(ctx, id, wait, extra, timeoutSeconds);
    return { content: await spritesSummary(ctx, detail) };
  }));

  for (const action of ['deploy', 'undeploy'] as const) {
    server.registerTool(`${action}_sprites`, {
      title: action === 'deploy' ? 'Deploy sprites into a Bevy project' : 'Take sprites out of a Bevy project',
      description: action === 'deploy'
        ? 'Writes the kept sprites of a finished sprites job into the project\'s assets/ (assets/sprites, items, tiles, effects), sheets with their atlas layout (JSON and RON), '
          + 'recorded in assets/atelier.json; a second deploy updates in place. Files Atelier did not write are never overwritten without force. Returns the asset_server.load lines. dryRun shows the plan only.'
        : 'Removes exactly the files this job\'s deploys wrote into the project (as recorded in assets/atelier.json); files changed since are kept unless force.',
      inputSchema: { id: jobId, project, force: z.boolean().default(false).describe(action === 'deploy' ? 'Overwrite files Atelier did not write (or that were changed since).' : 'Remove files even if they were changed since.'), dryRun: z.boolean().default(false).describe('Show what would happen, write nothing.') },
      annotations: { destructiveHint: true },
    }, guarded(async ({ id, project: dir, force, dryRun }) => {
      const result = await ctx.api.post<DeploymentSummary>(`/api/sprites/${encodeURIComponent(id)}/${action}`, { project: dir, force, dryRun });
      return { content: [text(deploymentText(result)), json(result)] };
    }));
  }

  server.registerTool('list_sprites', {
    title: 'Sprite library',
    description: 'Kept sprites, newest first, optionally of one project (game), with their names, sizes and asset ids.',
    inputSchema: { project: z.string().max(64).optional().describe('Only this project\'s library.'), limit: z.number().int().min(1).max(500).default(50).describe('How many sprites at most.') },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ project: name, limit }) => {
    const query = new URLSearchParams({ limit: String(limit), ...(name ? { project: name } : {}) });
    const body = await ctx.api.get<{ sprites: { project: string; name: string; category: string; grid: number; frames: number; jobId: string; assetId: string; prompt: string }[] }>(`/api/sprites?${query}`);
    return { content: [text(body.sprites.length ? body.sprites.map((s) => `${s.project}  ${s.category}  ${s.name}  ${s.grid}px${s.frames > 1 ? ` ×${s.frames}` : ''}  asset ${s.assetId}  job ${s.jobId}  "${s.prompt.slice(0, 50)}"`).join('\n') : 'no kept sprites yet')] };
  }));
};

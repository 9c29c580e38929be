// The lora pipeline's tools: characters, a LoRA training (live: step, loss, whether a trainer runs now), trained
// LoRAs. Staged samples are kept or discarded with review_step (stepId "staging").
import { z } from 'zod';
import { describeJob, guarded, imagePreview, text, waitForJob, getJob, type ToolModule } from './context.ts';
import { PRESET_NAMES } from '../../core/lora-settings.ts';

interface Character { id: string; name: string; triggerWord: string; images: number; loras: number }

export const loraTools: ToolModule = (server, ctx) => {
  const findCharacter = async (ref: string) => {
    const { characters } = await ctx.api.get<{ characters: Character[] }>('/api/characters');
    const found = characters.find((c) => c.id === ref) ?? characters.find((c) => c.name.toLowerCase() === ref.toLowerCase());
    if (!found) throw new Error(`no character "${ref}"; there are: ${characters.map((c) => c.name).join(', ') || 'none (create one in the web UI or with atelier character create)'}`);
    return found;
  };

  server.registerTool('list_characters', {
    title: 'Characters and their LoRAs',
    description: 'The characters a LoRA can be trained for: name, trigger word, how many images, how many trained LoRAs.',
    inputSchema: {},
    annotations: { readOnlyHint: true },
  }, guarded(async () => {
    const { characters } = await ctx.api.get<{ characters: Character[] }>('/api/characters');
    return { content: [text(characters.length ? characters.map((c) => `${c.id}  ${c.name} (trigger word ${c.triggerWord}): ${c.images} image(s), ${c.loras} LoRA(s)`).join('\n') : 'no characters yet')] };
  }));

  server.registerTool('train_lora', {
    title: 'Train a LoRA for a character',
    description: 'Trains a LoRA on a character\'s images on a GPU pool (resumed from its checkpoint after any crash), samples it with ComfyUI and stages the samples; '
      + 'keep or discard them with review_step {"stepId": "staging", "decision": "keep"|"discard", "assetIds": [...]}: kept ones join the dataset. Follow with lora_training.',
    inputSchema: {
      character: z.string().min(1).max(200).describe('The character\'s name or id (list_characters).'),
      preset: z.enum(PRESET_NAMES as [string, ...string[]]).default('quick').describe('quick (a first look), balanced, or high (most detail, longest).'),
      steps: z.number().int().min(10).max(100_000).optional().describe('Training steps instead of the preset\'s.'),
      samplePrompts: z.array(z.string().min(1).max(500)).min(1).max(8).optional().describe('Prompts to sample with ([trigger] becomes the trigger word).'),
      wait: z.enum(['none', 'review', 'finish']).default('none').describe('"none" answers at once (training takes a while); "review" waits until the samples are staged.'),
      timeoutSeconds: z.number().int().min(1).max(3600).default(900).describe('How long to wait at most.'),
    },
  }, guarded(async ({ character, preset, steps, samplePrompts, wait, timeoutSeconds }, extra) => {
    const found = await findCharacter(character);
    const started = await ctx.api.post<{ id: string; summary: string }>('/api/loras', { characterId: found.id, preset, ...(steps ? { advanced: { steps } } : {}), ...(samplePrompts ? { samplePrompts } : {}) });
    const { detail, timedOut } = await waitForJob(ctx, started.id, wait, extra, timeoutSeconds);
    return { content: [text(`started ${started.id}: ${started.summary}${timedOut ? ` (not settled after ${timeoutSeconds} s: follow it with lora_training)` : ''}\n${describeJob(detail, ctx.publicUrl)}`)] };
  }));

  server.registerTool('lora_training', {
    title: 'A LoRA training, live',
    description: 'Whether a trainer runs for the job right now (from Temporal, not assumed), its step and loss, the newest checkpoint, and the staged samples as previews.',
    inputSchema: { id: z.string().min(1).max(200).describe('The training job id ("lora-…").') },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ id }) => {
    const detail = await getJob(ctx.api, id);
    const trainer = await ctx.api.get<{ state: string; message: string; details?: { checkpoint?: { step: number } } }>(`/api/loras/jobs/${encodeURIComponent(id)}/trainer`);
    const events = await (await ctx.api.request(`/api/jobs/${encodeURIComponent(id)}/events.jsonl`)).text();
    const progress = events.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'training.progress').at(-1);
    const staged = (detail.state?.awaitingReview ?? []).find((r: { stepId: string }) => r.stepId === 'staging') as { assets?: { id: string }[] } | undefined;
    const lines = [
      describeJob(detail, ctx.publicUrl),
      `trainer: ${trainer.state} — ${trainer.message}`,
      progress ? `step ${progress.data.step}/${progress.data.total}, loss ${typeof progress.data.loss === 'number' ? progress.data.loss.toFixed(4) : '?'}` : 'no training step yet',
      staged?.assets?.length ? `staged: ${staged.assets.map((a) => a.id).join(', ')} — keep or discard with review_step {"id": "${id}", "stepId": "staging", ...}` : '',
    ];
    return { content: [text(lines.filter(Boolean).join('\n')), ...(await Promise.all((staged?.assets ?? []).slice(0, 4).map((a) => imagePreview(ctx.api, a.id, { maxSide: 256 }))))] };
  }));

  server.registerTool('list_loras', {
    title: 'Trained LoRAs',
    description: 'LoRAs a generate job can use (pass the file name as "lora"), with their character and trigger word.',
    inputSchema: {},
    annotations: { readOnlyHint: true },
  }, guarded(async () => {
    const { loras } = await ctx.api.get<{ loras: { name: string; characterName?: string; triggerWord?: string; steps?: number }[] }>('/api/loras');
    return { content: [text(loras.length ? loras.map((l) => `${l.name}${l.characterName ? `  ${l.characterName} (trigger word ${l.triggerWord}), ${l.steps} steps` : ''}`).join('\n') : 'no LoRAs yet')] };
  }));
};

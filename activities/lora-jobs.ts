// The lora pipeline's records: its jobs (checked input, the character, the settled training settings and their
// summary), the LoRA a training made (in the artifact store's loras/ and the loras table), caption and synthesis jobs.
import { Context, ApplicationFailure } from '@temporalio/activity';
import fs from 'node:fs/promises';
import crypto from 'node:crypto';
import type { Store } from '../core/store.ts';
import { describeIssues } from '../core/generate-input.ts';
import { trainRequestSchema, synthesisRequestSchema, loraNameFor, samplingTemplate } from '../core/lora-input.ts';
import { describeSettings, resolveSettings, type TrainingSettings } from '../core/lora-settings.ts';
import { defaultSamplePrompts, tooSmallToTrain } from '../core/character-input.ts';
import type { CharacterRepository } from '../db/characters.ts';
import type { LoraRepository } from '../db/loras.ts';
import type { JobRepository } from '../db/jobs.ts';
import type { EmitEvent } from './events.ts';
import { recordNewJob } from './jobs.ts';
import { copyAtomic } from './training/checkpoint-store.ts';
import type { TrainedLora } from './training.ts';

export interface LoraJobDeps { jobs: JobRepository; emit: EmitEvent; characters: CharacterRepository; loras: LoraRepository; store: Store; gpuPools: string[]; defaultPool?: string }

export interface CharacterRef { id: string; name: string; triggerWord: string }
export interface RegisteredTraining {
  character: CharacterRef;
  settings: TrainingSettings;
  summary: string;
  /** the LoRA's file name without .safetensors */
  name: string;
  samplePrompts: string[];
  pool: string;
  project: string;
  title: string;
}
export interface RegisteredLora { name: string; file: string; relativePath: string; bytes: number; steps: number; arch: string; template: string }
export interface RegisteredSynthesis { character: CharacterRef; lora: { name: string; file: string; relativePath: string; arch: string; template: string }; count: number; prompt: string; pool: string; project: string; title: string }

const firstIssue = (error: { issues: unknown[] } & Parameters<typeof describeIssues>[0]) => describeIssues(error);

export function loraJobActivities(deps: LoraJobDeps) {
  function choosePool(requested?: string): { pool?: string; problem?: string } {
    if (requested) return deps.gpuPools.includes(requested) ? { pool: requested } : { problem: `GPU pool "${requested}" is not configured; pools: ${deps.gpuPools.join(', ') || 'none'}` };
    return deps.defaultPool ? { pool: deps.defaultPool } : { problem: 'no GPU pool is configured: set ATELIER_GPU_POOLS' };
  }

  return {
    async registerTrainingJob(raw: unknown, meta: { correlationId?: string }): Promise<RegisteredTraining> {
      const parsed = trainRequestSchema.safeParse(raw ?? {});
      const character = parsed.success ? await deps.characters.get(parsed.data.characterId) : undefined;
      const chosen = parsed.success ? choosePool(parsed.data.pool) : {};
      let problem = parsed.success ? chosen.problem : firstIssue(parsed.error);
      if (parsed.success && !character) problem = `no character "${parsed.data.characterId}": create one first (POST /api/characters)`;
      let trainable = 0;
      if (character && !problem) {
        const images = await deps.characters.imagesOf(character.id);
        trainable = images.filter((i) => !tooSmallToTrain(i.width, i.height)).length;
        if (!images.length) problem = `character "${character.name}" has no images: add photos first (at least one, 10–30 is better)`;
        else if (!trainable) problem = `character "${character.name}" has no image large enough to train on (the shorter side must be at least 512 px): add larger photos`;
      }
      const { workflowId } = Context.current().info.workflowExecution!;
      const settings = parsed.success ? resolveSettings(parsed.data.preset, parsed.data.advanced) : undefined;
      const title = parsed.success && character ? parsed.data.title || `LoRA for ${character.name} (${settings!.preset})` : 'lora training (bad input)';
      const summary = settings ? describeSettings(settings) : '';
      await recordNewJob(deps, {
        pipeline: 'lora', title, project: parsed.success ? parsed.data.project : undefined, correlationId: meta.correlationId, problem,
        inputSummary: parsed.success ? { kind: 'train', ...parsed.data, characterName: character?.name, settings, summary } : { kind: 'train', raw: raw as Record<string, unknown> },
      });
      const samplePrompts = parsed.data!.samplePrompts ?? (character!.samplePrompts.length ? character!.samplePrompts : defaultSamplePrompts());
      await deps.emit(workflowId, 'lora.settings', { summary, settings, images: trainable, samplePrompts }, { dedupeKey: 'lora.settings' });
      return {
        character: { id: character!.id, name: character!.name, triggerWord: character!.triggerWord },
        settings: settings!, summary, name: loraNameFor(character!.name, workflowId), samplePrompts, pool: chosen.pool!,
        project: parsed.data!.project ?? 'default', title,
      };
    },

    /** the final LoRA into DATA_DIR/loras/<name>.safetensors (what GET /api/loras and the generate page offer) */
    async registerTrainedLora(input: { jobId: string; name: string; character: CharacterRef; settings: TrainingSettings; trained: TrainedLora }): Promise<RegisteredLora> {
      const relativePath = `loras/${input.name}.safetensors`;
      await copyAtomic(deps.store.absolute(input.trained.checkpointPath), deps.store.absolute(relativePath));
      const stat = await fs.stat(deps.store.absolute(relativePath));
      // a character deleted while its LoRA trained: the LoRA is kept, belonging to no character
      const characterId = (await deps.characters.get(input.character.id)) ? input.character.id : null;
      await deps.loras.upsert({
        id: `lo_${crypto.createHash('sha256').update(input.jobId).digest('hex').slice(0, 12)}`, name: input.name, characterId, characterName: input.character.name,
        triggerWord: input.character.triggerWord, jobId: input.jobId, relativePath, bytes: stat.size, sha256: input.trained.sha256, steps: input.trained.steps,
        baseModel: input.trained.baseModel, arch: input.trained.arch, pool: input.trained.pool, host: input.trained.host,
        settings: { ...input.settings, backend: input.trained.backend } as Record<string, unknown>, secondsPerStep: input.trained.secondsPerStep,
      });
      await deps.emit(input.jobId, 'lora.registered', { name: input.name, file: `${input.name}.safetensors`, bytes: stat.size, steps: input.trained.steps, host: input.trained.host, baseModel: input.trained.baseModel }, { dedupeKey: 'lora.registered' });
      return { name: input.name, file: `${input.name}.safetensors`, relativePath, bytes: stat.size, steps: input.trained.steps, arch: input.trained.arch, template: samplingTemplate(input.trained.arch) };
    },

    async registerCaptionJob(input: { characterId: string; imageIds?: string[] }, meta: { correlationId?: string }): Promise<{ characterName: string }> {
      const character = await deps.characters.get(input.characterId);
      await recordNewJob(deps, {
        pipeline: 'lora', title: `Auto-captions for ${character?.name ?? input.characterId}`, correlationId: meta.correlationId,
        inputSummary: { kind: 'captions', ...input }, problem: character ? undefined : `no character "${input.characterId}"`,
      });
      return { characterName: character!.name };
    },

    async registerSynthesisJob(raw: unknown, meta: { correlationId?: string }): Promise<RegisteredSynthesis> {
      const parsed = synthesisRequestSchema.safeParse(raw ?? {});
      const character = parsed.success ? await deps.characters.get(parsed.data.characterId) : undefined;
      const chosen = parsed.success ? choosePool(parsed.data.pool) : {};
      let problem = parsed.success ? chosen.problem : firstIssue(parsed.error);
      if (parsed.success && !character) problem = `no character "${parsed.data.characterId}"`;
      const loras = character && !problem ? await deps.characters.lorasOf(character.id) : [];
      const lora = parsed.success && parsed.data.lora ? loras.find((l) => l.name === parsed.data.lora) : loras[0];
      if (character && !problem && !lora) problem = parsed.data!.lora ? `character "${character.name}" has no LoRA "${parsed.data!.lora}"` : `character "${character.name}" has no trained LoRA yet: train one first`;
      const count = parsed.success ? parsed.data.count : 0;
      const title = character ? `${count} synthetic image${count === 1 ? '' : 's'} of ${character.name}` : 'synthetic images (bad input)';
      await recordNewJob(deps, { pipeline: 'lora', title, correlationId: meta.correlationId, problem, project: parsed.success ? parsed.data.project : undefined, inputSummary: { kind: 'synthesize', ...(parsed.success ? parsed.data : { raw }) } });
      const prompt = parsed.data!.prompt ?? (character!.samplePrompts[0] ?? defaultSamplePrompts()[0]!);
      return {
        character: { id: character!.id, name: character!.name, triggerWord: character!.triggerWord },
        lora: { name: lora!.name, file: `${lora!.name}.safetensors`, relativePath: lora!.relativePath, arch: lora!.arch, template: samplingTemplate(lora!.arch) },
        count, prompt, pool: chosen.pool!, project: parsed.data!.project ?? 'default', title,
      };
    },
  };
}

export type LoraJobActivities = ReturnType<typeof loraJobActivities>;

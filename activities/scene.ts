// The scene pipeline's own activities: ingest (the job record and the source image), the planner and the ANALYZE
// step (the vision LLM, replies checked with zod and repaired), on the main task queue.
import { ApplicationFailure, Context } from '@temporalio/activity';
import sharp from 'sharp';
import type { JobRepository } from '../db/jobs.ts';
import type { AssetRepository } from '../db/assets.ts';
import type { Store } from '../core/store.ts';
import type { EmitEvent } from './events.ts';
import type { LlmClient } from './llm.ts';
import { recordNewJob } from './jobs.ts';
import { activityLlmOptions, asActivityFailure } from './llm-activity.ts';
import { sceneInputSchema, type SceneRequest } from '../core/scene-input.ts';
import { describeIssues } from '../core/generate-input.ts';
import { sceneAnalysisSchema, scenePlanSchema } from '../core/scene-plan-schema.ts';
import { planProblems, STEP_TYPE_HELP, STEP_TYPES, type ScenePlan } from '../workflows/scene-plan.ts';
import type { AssetRef } from '../workflows/messages.ts';
import { sceneAssetWriter } from './scene-assets.ts';

export interface SceneDeps {
  jobs: JobRepository;
  assets: AssetRepository;
  store: Store;
  emit: EmitEvent;
  /** undefined when no LLM is configured */
  llm?: LlmClient;
  gpuPools: string[];
  defaultPool?: string;
}

const PLANNER_SYSTEM = `You plan how to take a picture apart into layers for an image editor. You see the picture. Propose steps, in order:
${STEP_TYPES.map((t) => `- ${t}: ${STEP_TYPE_HELP[t]}`).join('\n')}
Usually: EXTRACT each main object (foreground first), each followed by a REMOVE of the same object with mask AUTO, so the
plate underneath is clean; REFRAME only when an aspect ratio is asked for. Each step has a prompt for an image-edit model
and 3 to 5 variations of it (other wordings, tried in order when a check fails), and thresholds for the pixel checks:
EXTRACT minCoverage/maxCoverage (share of non-white pixels the object should take), REMOVE plateTolerance (0-255).`;

export function sceneActivities(deps: SceneDeps) {
  const files = sceneAssetWriter(deps);
  const llm = () => {
    if (!deps.llm) throw ApplicationFailure.nonRetryable('no LLM is configured: set OPENAI_BASE_URL (npm start runs a demo one when it is unset)', 'LlmConfig');
    return deps.llm;
  };
  const forLlm = async (ref: AssetRef) => sharp(await files.read(ref)).resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true }).png().toBuffer();

  return {
    /** Checks the input (it may come from the temporal CLI), records the job, copies the upload into the job. */
    async registerScene(raw: unknown, meta: { correlationId?: string }): Promise<{ params: SceneRequest & { pool: string }; title: string; source: AssetRef }> {
      const parsed = sceneInputSchema.safeParse(raw ?? {});
      const title = parsed.success ? parsed.data.title || `Scene ${parsed.data.image}` : 'scene (bad input)';
      const upload = parsed.success ? await deps.assets.get(parsed.data.image) : undefined;
      const pool = parsed.success ? parsed.data.pool ?? deps.defaultPool : undefined;
      const problem = !parsed.success ? describeIssues(parsed.error)
        : !upload ? `no image "${parsed.data.image}": upload it first (POST /api/uploads) and send the id it returns`
        : parsed.data.backend === 'comfyui' && (!pool || !deps.gpuPools.includes(pool)) ? `GPU pool "${pool ?? ''}" is not configured; pools: ${deps.gpuPools.join(', ') || 'none'}`
        : undefined;
      const jobId = await recordNewJob(deps, { pipeline: 'scene', title, inputSummary: parsed.success ? { ...parsed.data } : { raw: raw as Record<string, unknown> }, project: parsed.success ? parsed.data.project : undefined, correlationId: meta.correlationId, problem });
      const params = parsed.data!;
      let bytes: Buffer;
      try {
        bytes = await sharp(await deps.store.read(upload!.relativePath)).rotate().toColourspace('srgb').png().toBuffer();
      } catch (error) {
        throw ApplicationFailure.nonRetryable(`the image ${params.image} cannot be read (${(error as Error).message.split('\n')[0]}): upload it again`, 'BadInput');
      }
      const source = await files.write(jobId, 'source', 'source.png', bytes, { upload: params.image });
      await deps.emit(jobId, 'asset.created', { step: 'source', assetId: source.id, path: source.path, width: source.width, height: source.height }, { dedupeKey: `asset:${source.id}` });
      return { params: { ...params, pool: pool ?? '' }, title, source };
    },

    /** The vision LLM proposes the plan; a reply that never fits fails without retry, so a person decides. */
    async planScene(input: { jobId: string; source: AssetRef; instructions?: string; guidance?: string; attempt: number }): Promise<ScenePlan> {
      const options = activityLlmOptions(deps.emit, input.jobId, 'plan');
      try {
        const { value } = await llm().completeJson({
          name: 'scene_plan', schema: scenePlanSchema, system: PLANNER_SYSTEM, images: [await forLlm(input.source)],
          user: [`The picture is ${input.source.width} × ${input.source.height} pixels.`, input.instructions ? `The person asks: ${input.instructions}` : '', input.guidance ? `Guidance for this plan: ${input.guidance}` : ''].filter(Boolean).join('\n'),
          check: (plan) => planProblems(plan),
        }, options);
        const plan = value as ScenePlan;
        await deps.emit(input.jobId, 'plan.ready', { steps: plan.steps.map((s) => ({ id: s.id, type: s.type, target: s.target })), attempt: input.attempt }, { dedupeKey: `plan.ready:${input.attempt}:${Context.current().info.attempt}` });
        return plan;
      } catch (error) {
        throw asActivityFailure(error);
      }
    },

    /** ANALYZE: what the LLM sees and where; the notes are added to later steps' prompts. */
    async analyzeScene(input: { jobId: string; stepId: string; image: AssetRef; prompt: string }): Promise<{ notes: string }> {
      try {
        const { value } = await llm().completeJson({
          name: 'scene_analysis', schema: sceneAnalysisSchema, images: [await forLlm(input.image)],
          system: 'Describe the picture and locate its objects: boxes are left, top, width, height as shares of the picture (0 to 1).',
          user: input.prompt,
        }, activityLlmOptions(deps.emit, input.jobId, input.stepId));
        const where = value.objects.map((o) => `${o.name} at ${o.box.map((v) => Math.round(v * 100)).join('/')}%`).join('; ');
        return { notes: `${value.description}${where ? ` Objects: ${where}.` : ''}` };
      } catch (error) {
        throw asActivityFailure(error);
      }
    },
  };
}

export type SceneActivities = ReturnType<typeof sceneActivities>;

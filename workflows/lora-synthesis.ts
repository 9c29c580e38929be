// Synthetic images of a trained character: a batch (1, 2, 4 or 8) made with its LoRA on a host of the pool, staged
// for a person; kept ones join the character's dataset.
import { proxyActivities, proxyLocalActivities, workflowInfo, isCancellation, CancellationScope } from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { LoraJobActivities } from '../activities/lora-jobs.ts';
import type { DatasetActivities } from '../activities/datasets.ts';
import type { SynthesisRequest } from '../core/lora-input.ts';
import { completeJob, describeFailure, handleMessages, markEnded, recordEnd, recordPauses, stageShower } from './lifecycle.ts';
import { reviewEvents, reviewLoop } from './review.ts';
import { loraImages } from './lora-sampling.ts';
import { stageSamples } from './lora-staging.ts';
import type { LoraState } from './lora-state.ts';

const jobs = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });
const records = proxyActivities<LoraJobActivities & DatasetActivities>({ startToCloseTimeout: '10 minutes', retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 } });

export async function loraSynthesisWorkflow(input: SynthesisRequest): Promise<LoraState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: LoraState = { pipeline: 'lora', kind: 'synthesize', stage: 'registering', status: 'RUNNING', paused: false, steps: [], assets: [], awaitingReview: [], staged: [] };
  handleMessages(state);
  let project = 'default';
  const showStage = stageShower(state, () => project);
  const review = reviewLoop(state, reviewEvents(jobId, jobs, () => state.stage));
  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const job = await records.registerSynthesisJob(input, { correlationId });
    project = job.project;
    Object.assign(state, { character: job.character, loraName: job.lora.name });
    recordPauses(jobId, state, jobs);
    state.steps = Array.from({ length: job.count }, (_, i) => ({ id: `image-${i + 1}`, label: `Image ${i + 1}`, status: 'pending' as const, attempts: 0, assets: [] }));
    showStage('generating', `${job.title} with ${job.lora.name}`);
    await jobs.recordStage(jobId, 'generating');
    const prompt = job.prompt.replaceAll('[trigger]', job.character.triggerWord);
    const seed = parseInt(jobId.replace(/[^0-9a-f]/g, '').slice(-6) || '1', 16);
    const made = await loraImages({
      jobId, pool: job.pool, jobs, lora: job.lora, size: 1024,
      prompts: state.steps.map((s, i) => ({ stepId: s.id, prompt, seed: seed + i })),
      onImage: ({ stepId, assets }) => {
        Object.assign(state.steps.find((s) => s.id === stepId)!, { status: 'done', assets });
        state.assets.push(...assets);
        for (const asset of assets) state.staged.push({ asset, caption: job.prompt, prompt });
      },
    });
    state.sampledOn = made.host;
    showStage('staging', `${state.staged.length} images of ${job.character.name} wait for a person`);
    await jobs.recordStage(jobId, 'staging');
    await stageSamples(review, state.staged, {
      title: `Synthetic images of ${job.character.name}`,
      keep: async (kept) => { await records.keepSamples({ jobId, characterId: job.character.id, samples: kept.map((s) => ({ assetId: s.asset.id, caption: s.caption })) }); },
    });
    await completeJob(jobId, state, jobs);
    return state;
  } catch (error) {
    markEnded(state, error);
    review.withdraw('staging');
    await recordEnd(jobId, state, { jobs, pipeline: 'lora', project });
    throw error;
  }
}

/** Auto-captions for a character's images that have none (started when images are added). */
export async function loraCaptionsWorkflow(input: { characterId: string; imageIds?: string[] }): Promise<{ captioned: number; failed: string[] }> {
  const jobId = workflowInfo().workflowId;
  const correlationId = typeof workflowInfo().memo?.correlationId === 'string' ? (workflowInfo().memo!.correlationId as string) : undefined;
  try {
    await records.registerCaptionJob(input, { correlationId });
    await jobs.recordStage(jobId, 'captioning');
    const result = await records.captionImages({ jobId, characterId: input.characterId, imageIds: input.imageIds });
    await jobs.finishJob(jobId, 'COMPLETED', {});
    return result;
  } catch (error) {
    await CancellationScope.nonCancellable(() => jobs.finishJob(jobId, isCancellation(error) ? 'CANCELLED' : 'FAILED', { error: isCancellation(error) ? undefined : describeFailure(error) }));
    throw error;
  }
}

// The `lora` pipeline: a character's dataset → a LoRA trained on a GPU of the pool (live loss and samples, resumed
// from its newest checkpoint after any crash) → samples with the new LoRA on the host that trained it → staged for
// a person, kept ones joining the dataset.
import {
  proxyActivities, proxyLocalActivities, workflowInfo, condition, setCurrentDetails, ActivityCancellationType,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { LoraJobActivities } from '../activities/lora-jobs.ts';
import type { DatasetActivities } from '../activities/datasets.ts';
import type { TrainingActivities } from '../activities/training.ts';
import type { TrainRequest } from '../core/lora-input.ts';
import { trainingTaskQueue, type StepState } from './messages.ts';
import { completeJob, handleMessages, markEnded, recordEnd, recordPauses, stageShower } from './lifecycle.ts';
import { reviewEvents, reviewLoop } from './review.ts';
import { loraImages } from './lora-sampling.ts';
import { stageSamples } from './lora-staging.ts';
import type { LoraState } from './lora-state.ts';

const jobs = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });
const records = proxyActivities<LoraJobActivities & DatasetActivities>({
  startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

const STEPS: [string, string][] = [['prepare', 'Prepare the dataset'], ['train', 'Train the LoRA'], ['sample', 'Sample with the LoRA'], ['stage', 'Keep or discard the samples']];

export async function loraWorkflow(input: TrainRequest): Promise<LoraState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: LoraState = {
    pipeline: 'lora', kind: 'train', stage: 'registering', status: 'RUNNING', paused: false, assets: [], awaitingReview: [], staged: [],
    steps: STEPS.map(([id, label]): StepState => ({ id, label, status: 'pending', attempts: 0, assets: [] })),
  };
  handleMessages(state);
  let project = 'default';
  const showStage = stageShower(state, () => project);
  const review = reviewLoop(state, reviewEvents(jobId, jobs, () => state.stage));
  const step = (id: string) => state.steps.find((s) => s.id === id)!;
  const enter = async (id: string, stage: string, details: string) => {
    await condition(() => !state.paused);
    Object.assign(step(id), { status: 'running', attempts: step(id).attempts + 1 });
    showStage(stage, details);
    await jobs.recordStage(jobId, stage);
  };

  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const job = await records.registerTrainingJob(input, { correlationId });
    project = job.project;
    Object.assign(state, { character: job.character, settings: job.settings, summary: job.summary, loraName: job.name });
    recordPauses(jobId, state, jobs);

    await enter('prepare', 'preparing', `preparing the dataset of ${job.character.name}`);
    const prepared = await records.prepareDataset({ jobId, characterId: job.character.id });
    step('prepare').status = 'done';

    await enter('train', 'training', `training ${job.name} on pool ${job.pool}: ${job.summary}`);
    const trainer = proxyActivities<TrainingActivities>({
      taskQueue: trainingTaskQueue(job.pool),
      startToCloseTimeout: '7 days',
      // a killed GPU worker stops heartbeating: the retry (here or on another host) resumes from the newest checkpoint
      heartbeatTimeout: '15 seconds',
      retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 20 },
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
    const trained = await trainer.trainLora({ jobId, name: job.name, settings: job.settings, triggerWord: job.character.triggerWord, samplePrompts: job.samplePrompts });
    state.trainedOn = trained.host;
    state.lora = await records.registerTrainedLora({ jobId, name: job.name, character: job.character, settings: job.settings, trained });
    step('train').status = 'done';
    setCurrentDetails(`${job.name}: trained ${trained.steps} steps on ${trained.host} (${prepared.images} images)`);

    await enter('sample', 'sampling', `sampling ${job.name} on ${trained.host}`);
    const sampled = await loraImages({
      jobId, pool: job.pool, host: trained.host, jobs,
      lora: state.lora,
      prompts: job.samplePrompts.map((prompt, i) => ({ stepId: `sample-${i + 1}`, prompt: prompt.replaceAll('[trigger]', job.character.triggerWord), seed: 1000 + i })),
      size: Math.min(job.settings.resolution, 1024),
      onImage: ({ stepId, prompt, assets }) => {
        step('sample').assets.push(...assets);
        state.assets.push(...assets);
        // kept samples join the dataset captioned with their prompt, the character as [trigger]
        const caption = job.samplePrompts[Number(stepId.slice('sample-'.length)) - 1] ?? '[trigger]';
        for (const asset of assets) state.staged.push({ asset, caption, prompt });
      },
    });
    state.sampledOn = sampled.host;
    step('sample').status = 'done';

    await enter('stage', 'staging', `${state.staged.length} samples of ${job.name} wait for a person`);
    step('stage').status = 'awaiting-review';
    await stageSamples(review, state.staged, {
      title: `Samples of ${job.character.name} with ${job.name}`,
      keep: async (kept) => { await records.keepSamples({ jobId, characterId: job.character.id, samples: kept.map((s) => ({ assetId: s.asset.id, caption: s.caption })) }); },
    });
    step('stage').status = 'done';

    await completeJob(jobId, state, jobs);
    return state;
  } catch (error) {
    const cancelled = markEnded(state, error);
    review.withdraw('staging');
    for (const s of state.steps) {
      if (s.status === 'running' || s.status === 'awaiting-review') Object.assign(s, cancelled ? { status: 'cancelled' } : { status: 'failed', error: state.error });
      else if (s.status === 'pending') s.status = cancelled ? 'cancelled' : 'skipped';
    }
    await recordEnd(jobId, state, { jobs, pipeline: 'lora', project });
    throw error;
  }
}

// The `generate` pipeline: prompt → images on a GPU pool, a window of prompts kept queued at ComfyUI.
import {
  proxyActivities, proxyLocalActivities, condition, workflowInfo, isCancellation,
  CancellationScope, uuid4, setCurrentDetails, ActivityCancellationType,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { ComfyActivities } from '../activities/comfy.ts';
import type { GenerateInput } from '../core/generate-input.ts';
import { gpuTaskQueue, type PipelineState, type StepState, GPU_PROMPT_HEARTBEAT_SECONDS } from './messages.ts';
import { completeJob, describeFailure, handleMessages, markEnded, recordEnd, recordPauses, stageShower } from './lifecycle.ts';
import { followPoolCapacity, stepsInWindow } from './pool-capacity.ts';

// job records are quick database writes: local activities spare each a round trip through the server
const jobs = proxyLocalActivities<JobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

export async function generateWorkflow(input: GenerateInput): Promise<PipelineState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: PipelineState = { pipeline: 'generate', stage: 'registering', status: 'RUNNING', paused: false, steps: [], assets: [], awaitingReview: [] };
  handleMessages(state);
  let project = 'default';
  const showStage = stageShower(state, () => project);

  // images at ComfyUI right now (one running, the rest waiting so the GPU never idles between images);
  // on cancel the job ends only after each has left ComfyUI (interrupted or deleted)
  const inFlight = new Set<Promise<void>>();
  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const { params, title, window } = await jobs.registerGenerate(input, { correlationId, randomSeed: parseInt(uuid4().slice(0, 8), 16) });
    project = params.project ?? 'default';
    const gpu = proxyActivities<ComfyActivities>({
      taskQueue: gpuTaskQueue(params.pool),
      startToCloseTimeout: '2 hours',
      heartbeatTimeout: `${GPU_PROMPT_HEARTBEAT_SECONDS} seconds`,
      // about half an hour of retries: a GPU box that reboots or a ComfyUI that restarts gets the job back
      retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 60 },
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
    state.steps = Array.from({ length: params.count }, (_, i): StepState => ({ id: `image-${i + 1}`, label: `Image ${i + 1} (seed ${params.seed + i})`, status: 'pending', attempts: 0, assets: [] }));
    recordPauses(jobId, state, jobs);
    // registerGenerate recorded the stage already
    showStage('generating', `generating ${params.count} image(s) on pool ${params.pool}: ${title}`);

    const runStep = async (step: StepState, index: number) => {
      step.status = 'running';
      step.attempts += 1;
      const { count: _count, pool: _pool, title: _title, project: _project, template, ...values } = params;
      let assets;
      try {
        assets = await gpu.runComfyPrompt({ jobId, step: step.id, template, kind: 'generations', values: { ...values, seed: params.seed + index } });
      } catch (error) {
        if (!isCancellation(error)) Object.assign(step, { status: 'failed', error: describeFailure(error) });
        throw error;
      }
      step.assets = assets;
      step.status = 'done';
      state.assets.push(...assets);
      setCurrentDetails(`${state.steps.filter((s) => s.status === 'done').length}/${state.steps.length} images done: ${title}`);
    };

    // as many images in flight as the pool has live slots, re-read while images wait their turn
    const capacity = await followPoolCapacity({ jobId, pool: params.pool, initial: window, ...stepsInWindow(state.steps, inFlight) });
    // a failed image cancels the ones still in flight (their prompts leave ComfyUI's queue) before the job fails
    await CancellationScope.cancellable(async () => {
      let failure: unknown;
      for (const [index, step] of state.steps.entries()) {
        await condition(() => failure !== undefined || (!state.paused && inFlight.size < capacity.size()));
        if (failure !== undefined) break;
        const running: Promise<void> = runStep(step, index)
          .catch((error) => { failure ??= error; })
          .finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
      await condition(() => failure !== undefined || inFlight.size === 0);
      if (failure !== undefined) {
        CancellationScope.current().cancel();
        throw failure;
      }
    });
    await capacity.close();

    await completeJob(jobId, state, jobs);
    return state;
  } catch (error) {
    const cancelled = markEnded(state, error);
    for (const step of state.steps) if (step.status === 'running' || step.status === 'pending') step.status = cancelled ? 'cancelled' : 'skipped';
    await recordEnd(jobId, state, { jobs, pipeline: 'generate', project, settle: () => Promise.allSettled([...inFlight]) });
    throw error;
  }
}

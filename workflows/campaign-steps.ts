// How the campaign workflow runs many steps: a window of them in flight (held while paused), the first failure
// cancelling the rest; and the illustrations (GPU pool, optional: a failed picture is reported, the pack goes on).
import { proxyActivities, condition, CancellationScope, isCancellation, ActivityCancellationType } from '@temporalio/workflow';
import type { ComfyActivities } from '../activities/comfy.ts';
import type { CampaignActivities, PlannedIllustration } from '../activities/campaign.ts';
import { gpuTaskQueue, type PipelineState, type StepState, GPU_PROMPT_HEARTBEAT_SECONDS } from './messages.ts';
import { describeFailure } from './lifecycle.ts';
import { followPoolCapacity, stepsInWindow } from './pool-capacity.ts';

/** Runs `run` for each item with at most `limit()` in flight; on a failure the rest are cancelled and it throws. */
export async function inWindow<T>(state: PipelineState, inFlight: Set<Promise<void>>, items: T[], limit: () => number, run: (item: T) => Promise<void>): Promise<void> {
  await CancellationScope.cancellable(async () => {
    let failure: unknown;
    for (const item of items) {
      await condition(() => failure !== undefined || (!state.paused && inFlight.size < limit()));
      if (failure !== undefined) break;
      const running: Promise<void> = run(item)
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
}

export function gpuActivities(pool: string) {
  return proxyActivities<ComfyActivities>({
    taskQueue: gpuTaskQueue(pool),
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${GPU_PROMPT_HEARTBEAT_SECONDS} seconds`,
    retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 60 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/** One picture: ComfyUI makes it (its file names the revision), then the campaign records it. */
export async function makeIllustration(jobId: string, pool: string, planned: PlannedIllustration, record: Pick<CampaignActivities, 'recordIllustration'>) {
  const [asset] = await gpuActivities(pool).runComfyPrompt({
    jobId, step: `${planned.target}-r${planned.revision}`, template: 'txt2img', kind: 'generations',
    values: { prompt: planned.prompt, negativePrompt: planned.negativePrompt, seed: planned.seed, width: 1024, height: 768 },
  });
  if (!asset) throw new Error(`ComfyUI made no image for ${planned.label}`);
  await record.recordIllustration({ jobId, planned, asset });
  return asset;
}

/** Every planned picture, a GPU window at a time; a picture that fails is marked and the others go on. */
export async function illustrate(state: PipelineState, inFlight: Set<Promise<void>>, jobId: string, pool: string, window: number, planned: PlannedIllustration[],
  step: (id: string, label: string) => StepState, record: Pick<CampaignActivities, 'recordIllustration'>): Promise<void> {
  const work = planned.map((p) => ({ planned: p, step: step(`illustration-${p.target}`, `Illustration: ${p.label}`) }));
  // as many pictures in flight as the pool has live slots, re-read while pictures wait their turn
  const capacity = await followPoolCapacity({ jobId, pool, initial: window, ...stepsInWindow(work.map((w) => w.step), inFlight) });
  try {
    await inWindow(state, inFlight, work, capacity.size, async ({ planned: p, step: picture }) => {
      picture.status = 'running';
      picture.attempts += 1;
      try {
        const asset = await makeIllustration(jobId, pool, p, record);
        picture.assets = [asset];
        picture.status = 'done';
        state.assets.push(asset);
      } catch (error) {
        if (isCancellation(error)) throw error;
        Object.assign(picture, { status: 'failed', error: describeFailure(error) });
      }
    });
  } finally {
    await capacity.close();
  }
}

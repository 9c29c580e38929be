// A person asks for one illustration of a finished campaign again (optionally with a new prompt): ComfyUI makes the
// next revision, the campaign records it, and the pack is exported again so the download has the new picture.
import { proxyActivities, proxyLocalActivities, workflowInfo, isCancellation, CancellationScope } from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { CampaignActivities } from '../activities/campaign.ts';
import type { PipelineState } from './messages.ts';
import { describeFailure, handleMessages, stageShower } from './lifecycle.ts';
import { makeIllustration } from './campaign-steps.ts';

const jobs = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });
const campaign = proxyActivities<CampaignActivities>({ startToCloseTimeout: '10 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 10 } });

export interface RegenerateIllustrationInput { campaignId: string; target: string; prompt?: string }

export async function campaignIllustrationWorkflow(input: RegenerateIllustrationInput): Promise<PipelineState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: PipelineState = { pipeline: 'campaign', stage: 'registering', status: 'RUNNING', paused: false, steps: [], assets: [], awaitingReview: [] };
  handleMessages(state);
  const showStage = stageShower(state, () => 'default');
  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const { planned, pool, title } = await campaign.registerRegeneration(input, { correlationId });
    const picture = { id: `illustration-${planned.target}`, label: `Illustration: ${planned.label} (revision ${planned.revision})`, status: 'running' as const, attempts: 1, assets: [] };
    state.steps.push(picture);
    showStage('illustrations', title);
    await jobs.recordStage(jobId, 'illustrations');
    const asset = await makeIllustration(input.campaignId, pool, planned, campaign);
    Object.assign(picture, { status: 'done', assets: [asset] });
    state.assets.push(asset);
    showStage('exporting', `exporting the pack again: ${title}`);
    await jobs.recordStage(jobId, 'exporting');
    state.assets.push(...(await campaign.exportCampaign({ jobId: input.campaignId })));
    state.status = 'COMPLETED';
    showStage('completed', title);
    await jobs.finishJob(jobId, 'COMPLETED', { assets: state.assets.length });
    return state;
  } catch (error) {
    const cancelled = isCancellation(error);
    state.status = cancelled ? 'CANCELLED' : 'FAILED';
    state.error = cancelled ? undefined : describeFailure(error);
    await CancellationScope.nonCancellable(async () => {
      showStage(cancelled ? 'cancelled' : 'failed', state.error ?? 'cancelled');
      await jobs.finishJob(jobId, cancelled ? 'CANCELLED' : 'FAILED', { error: state.error, assets: state.assets.length });
    });
    throw error;
  }
}

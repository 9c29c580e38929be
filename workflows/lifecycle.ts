// What every pipeline's workflow does the same way: its stage shown in the state, the search attributes and
// Temporal Web's status line; pauses recorded in the job record; a failure said in one sentence.
import { ApplicationFailure, CancellationScope, condition, isCancellation, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import {
  describePoolWait, pauseSignal, poolWaitSignal, POOL_WAIT_STAGE, resumeSignal, stateQuery, type PipelineState,
} from './messages.ts';

/** Answers the `state` query, the pause/resume signals and the GPU pool's pause for this state. */
export function handleMessages(state: PipelineState): void {
  setHandler(stateQuery, () => state);
  setHandler(pauseSignal, () => { state.paused = true; state.status = 'PAUSED'; });
  setHandler(resumeSignal, () => { state.paused = false; state.status = 'RUNNING'; });
  // a GPU step waiting for its drained pool: the stage and Temporal Web's status line say so until it runs again
  let stageBefore = state.stage;
  setHandler(poolWaitSignal, (wait) => {
    if (wait) {
      if (!state.poolWait) stageBefore = state.stage;
      state.poolWait = wait;
      state.stage = POOL_WAIT_STAGE;
      upsertSearchAttributes({ AtelierStage: [POOL_WAIT_STAGE] });
      setCurrentDetails(describePoolWait(wait));
    } else if (state.poolWait) {
      const { pool } = state.poolWait;
      state.poolWait = undefined;
      if (state.stage === POOL_WAIT_STAGE) {
        state.stage = stageBefore;
        upsertSearchAttributes({ AtelierStage: [stageBefore] });
      }
      setCurrentDetails(`GPU pool ${pool} resumed: ${state.stage}`);
    }
  });
}

/** Sets the stage in the state, the search attributes (for Temporal Web's filters) and the status line. */
export function stageShower(state: PipelineState, project: () => string) {
  return (stage: string, details: string) => {
    state.stage = stage;
    upsertSearchAttributes({ AtelierPipeline: [state.pipeline], AtelierStage: [stage], AtelierProject: [project()] });
    setCurrentDetails(details);
  };
}

/**
 * Keeps the job record's status in step with pause/resume, whoever sent the signal (API, CLI, temporal CLI), and its
 * stage with a wait for a paused GPU pool (so the job list says why nothing moves).
 */
export function recordPauses(jobId: string, state: PipelineState, jobs: Pick<JobActivities, 'recordStage'>): void {
  let recorded = false;
  void (async () => {
    for (;;) {
      await condition(() => state.paused !== recorded);
      recorded = state.paused;
      await jobs.recordStage(jobId, state.stage, recorded ? 'PAUSED' : 'RUNNING', { paused: recorded });
    }
  })().catch(() => { /* the workflow ended */ });
  let poolWaitRecorded = false;
  void (async () => {
    for (;;) {
      await condition(() => Boolean(state.poolWait) !== poolWaitRecorded);
      poolWaitRecorded = Boolean(state.poolWait);
      await jobs.recordStage(jobId, state.stage, state.paused ? 'PAUSED' : 'RUNNING',
        state.poolWait ? { poolWait: state.poolWait, message: describePoolWait(state.poolWait) } : { poolResumed: true });
    }
  })().catch(() => { /* the workflow ended */ });
}

/** The innermost application failure's message: what a person should read. */
export function describeFailure(error: unknown): string {
  let current: any = error;
  while (current?.cause && !(current instanceof ApplicationFailure)) current = current.cause;
  return String(current?.message ?? error);
}

/** The job done: its state, the AtelierStage search attribute and the job record. */
export async function completeJob(jobId: string, state: PipelineState, jobs: Pick<JobActivities, 'finishJob'>): Promise<void> {
  state.stage = 'completed';
  state.status = 'COMPLETED';
  upsertSearchAttributes({ AtelierStage: ['completed'] });
  await jobs.finishJob(jobId, 'COMPLETED', { assets: state.assets.length });
}

/** The job ended by `error`: cancelled, or failed with the reason a person reads. True when it was a cancel. */
export function markEnded(state: PipelineState, error: unknown): boolean {
  const cancelled = isCancellation(error);
  state.status = cancelled ? 'CANCELLED' : 'FAILED';
  state.stage = cancelled ? 'cancelled' : 'failed';
  state.error = cancelled ? undefined : describeFailure(error);
  return cancelled;
}

/** Records a job's end (marked by markEnded) where a cancel cannot stop it: `settle` first (prompts leaving
 *  ComfyUI), then the search attributes and the job record. */
export function recordEnd(jobId: string, state: PipelineState, options: { jobs: Pick<JobActivities, 'finishJob'>; pipeline: string; project: string; assets?: number; settle?: () => Promise<unknown> }): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    if (options.settle) await options.settle();
    upsertSearchAttributes({ AtelierPipeline: [options.pipeline], AtelierStage: [state.stage], AtelierProject: [options.project] });
    await options.jobs.finishJob(jobId, state.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED', { error: state.error, assets: options.assets ?? state.assets.length });
  });
}

// Is a trainer running for this job right now? Read from Temporal's pending activity (its state, attempt, last
// heartbeat and details), never assumed from the job record: a job whose GPU worker died is shown as waiting for
// the retry, not as training.
import { defaultPayloadConverter } from '@temporalio/common';
import type { ApiContext } from './context.ts';

export type TrainerState = 'running' | 'not-reporting' | 'waiting-for-retry' | 'queued' | 'stopping' | 'none';

export interface TrainerStatus {
  state: TrainerState;
  message: string;
  attempt?: number;
  lastHeartbeatSecondsAgo?: number;
  details?: { host?: string; step?: number; total?: number; checkpoint?: { step: number; path: string } };
  lastFailure?: string;
}

const seconds = (time: unknown): number | undefined => {
  const t = time as { seconds?: { toNumber?: () => number } | number; nanos?: number } | null | undefined;
  if (!t?.seconds) return undefined;
  const s = typeof t.seconds === 'number' ? t.seconds : t.seconds.toNumber?.() ?? Number(t.seconds);
  return s + (t.nanos ?? 0) / 1e9;
};

export async function trainerStatus(ctx: ApiContext, jobId: string, pool?: string): Promise<TrainerStatus> {
  const description = await ctx.temporal.workflow.getHandle(jobId).describe();
  const pending = (description.raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'trainLora');
  if (!pending) return { state: 'none', message: description.status.name === 'RUNNING' ? 'no trainer is running for this job now' : `the job has ended (${description.status.name}); no trainer runs` };
  const payload = pending.heartbeatDetails?.payloads?.[0];
  let details: TrainerStatus['details'];
  try { details = payload ? defaultPayloadConverter.fromPayload(payload as never) : undefined; } catch { details = undefined; }
  const attempt = pending.attempt ?? 1;
  const beat = seconds(pending.lastHeartbeatTime);
  const ago = beat === undefined ? undefined : Math.max(0, Math.round(Date.now() / 1000 - beat));
  const lastFailure = pending.lastFailure?.message ?? undefined;
  const where = details?.host ? ` on ${details.host}` : '';
  const checkpoint = details?.checkpoint ? ` from the checkpoint at step ${details.checkpoint.step}` : '';
  // state: 1 scheduled, 2 started, 3 cancel requested
  if (pending.state === 3) return { state: 'stopping', message: `stopping the trainer${where} (SIGINT, then SIGKILL after the grace period)`, attempt, lastHeartbeatSecondsAgo: ago, details };
  if (pending.state === 2) {
    if (ago !== undefined && ago <= 5) return { state: 'running', message: `training${where}${details?.step !== undefined ? `: step ${details.step} of ${details.total}` : ''}`, attempt, lastHeartbeatSecondsAgo: ago, details, lastFailure };
    return { state: 'not-reporting', message: `no word from the trainer${where} for ${ago ?? '?'} s: its GPU worker may have stopped; after 15 s without one the training is retried${checkpoint}`, attempt, lastHeartbeatSecondsAgo: ago, details, lastFailure };
  }
  if (attempt > 1) return { state: 'waiting-for-retry', message: `no trainer runs now: waiting for a GPU worker of pool ${pool ?? '?'} to resume the training${checkpoint} (attempt ${attempt})${lastFailure ? `; the last attempt ended: ${lastFailure.split('\n')[0]}` : ''}`, attempt, details, lastFailure };
  return { state: 'queued', message: `waiting for a free GPU worker of pool ${pool ?? '?'} (one training per GPU)`, attempt, details };
}

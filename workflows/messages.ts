// Messages between people and pipelines, imported by the API, the CLI, MCP and every workflow.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReviewSource } from './review-decisions.ts';

export type PipelineName = 'generate' | 'scene' | 'lora' | 'campaign' | 'sprites';
export type JobStatus = 'RUNNING' | 'PAUSED' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'awaiting-review' | 'skipped';

export interface AssetRef {
  id: string;
  path: string;
  kind: string;
  mime: string;
  width?: number | null;
  height?: number | null;
}

export interface StepState {
  id: string;
  label: string;
  status: StepStatus;
  attempts: number;
  assets: AssetRef[];
  error?: string;
}

/** A measurement a check made, against its threshold, shown to the person reviewing. */
export interface ReviewMetric {
  name: string;
  label: string;
  value: number;
  min?: number;
  max?: number;
  unit?: string;
  pass: boolean;
}

/** A step waiting for a person: what to look at, why, and which decisions it takes. */
export interface AwaitingReview {
  stepId: string;
  /** what is reviewed (`plan`, `step`, `samples`, `outline`, `sprite`…): a page picks its editor by it */
  kind: string;
  title: string;
  /** why it waits, in words: a failed check, or "review every step" */
  reason: string;
  decisions: string[];
  /** pre-filled for a retry (the next unused prompt variation) */
  suggestedPrompt?: string;
  metrics?: ReviewMetric[];
  /** what to look at: the result, the source, the mask */
  assets?: AssetRef[];
  /** what the pipeline shows besides (the plan to edit, …) */
  detail?: Record<string, unknown>;
  /** the image a mask for this step is drawn on (asset id): a mask must have its size */
  maskFor?: { assetId: string; width: number; height: number };
  since: string;
}

export interface ReviewDecision {
  stepId: string;
  decision: string;
  /** makes the same decision sent twice have one effect */
  decisionId: string;
  prompt?: string;
  /** an uploaded mask (POST /api/uploads) for `mask` */
  maskAssetId?: string;
  /** the mask's size, added by the API from the upload's record, so the workflow can refuse a mask of the wrong size */
  maskSize?: { width: number; height: number };
  /** which of the step's assets a keep/discard is about (default: all of them) */
  assetIds?: string[];
  /** the pipeline's own edits, e.g. an edited plan with `approve` */
  edits?: Record<string, unknown>;
  note?: string;
  /** where it came from; unset means straight through Temporal (the temporal CLI, a script) */
  source?: ReviewSource;
  /** who decided, when known */
  by?: string;
}

/** A decision taken, kept in the state for the record. */
export interface ReviewRecord extends ReviewDecision {
  source: ReviewSource;
  kind: string;
  at: string;
}

export interface PipelineState {
  pipeline: PipelineName;
  stage: string;
  status: JobStatus;
  paused: boolean;
  steps: StepState[];
  assets: AssetRef[];
  awaitingReview: AwaitingReview[];
  /** every review decision taken, in order */
  reviews?: ReviewRecord[];
  /** set while a GPU step waits for its paused (drained) pool */
  poolWait?: PoolWait;
  error?: string;
}

/** A GPU pool an operator paused, as a job waiting for it sees it. */
export interface PoolWait { pool: string; since: string; by: string | null; reason: string | null }

export const POOL_WAIT_STAGE = 'waiting-for-pool';

/** The one sentence the job's status line, its events and Temporal Web say while a pool is paused. */
export function describePoolWait(wait: PoolWait): string {
  return `waiting: GPU pool ${wait.pool} paused by ${wait.by ?? 'an operator'} since ${wait.since}${wait.reason ? ` (${wait.reason})` : ''}; `
    + `nothing new starts until it resumes (atelier pool resume ${wait.pool})`;
}

export const stateQuery = defineQuery<PipelineState>('state');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** from a GPU activity: its pool is paused (the pause), or runs again (null) */
export const poolWaitSignal = defineSignal<[PoolWait | null]>('poolWait');
export const reviewUpdate = defineUpdate<PipelineState, [ReviewDecision]>('review');

export const SEARCH_ATTRIBUTES = ['AtelierPipeline', 'AtelierStage', 'AtelierProject'] as const;
export const MAIN_TASK_QUEUE = 'atelier';
/** how long a GPU prompt's activity may go without a heartbeat before Temporal retries it (on another host when its
 *  own is lost); the pool's capacity stops counting a lost host's prompts shortly before, so a slot is free for them */
export const GPU_PROMPT_HEARTBEAT_SECONDS = 10;
export const gpuTaskQueue = (pool: string, host?: string) => (host ? `atelier-gpu-${pool}-${host}` : `atelier-gpu-${pool}`);
/** LoRA trainings of a pool: every GPU worker of the pool polls it, taking one training at a time */
export const trainingTaskQueue = (pool: string) => `atelier-train-${pool}`;

// Messages between people and pipelines, imported by the API, the CLI, MCP and every workflow.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

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

export interface PipelineState {
  pipeline: PipelineName;
  stage: string;
  status: JobStatus;
  paused: boolean;
  steps: StepState[];
  assets: AssetRef[];
  awaitingReview: string[];
  error?: string;
}

export interface ReviewDecision {
  stepId: string;
  decision: string;
  /** makes the same decision sent twice have one effect */
  decisionId: string;
  prompt?: string;
}

export const stateQuery = defineQuery<PipelineState>('state');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const reviewUpdate = defineUpdate<PipelineState, [ReviewDecision]>('review');

export const SEARCH_ATTRIBUTES = ['AtelierPipeline', 'AtelierStage', 'AtelierProject'] as const;
export const MAIN_TASK_QUEUE = 'atelier';
export const gpuTaskQueue = (pool: string, host?: string) => (host ? `atelier-gpu-${pool}-${host}` : `atelier-gpu-${pool}`);

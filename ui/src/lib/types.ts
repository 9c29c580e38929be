// The shapes the Atelier HTTP API returns (see api/routes/*). Workflow state and events are the back end's own types.
import type { PipelineName, JobStatus, StepStatus, AssetRef, StepState, PipelineState } from '../../../workflows/messages.ts';
import type { EventLevel, JobEvent } from '../../../db/events.ts';

export type { JobStatus, StepStatus, AssetRef, StepState, PipelineState, EventLevel, JobEvent };
export type Pipeline = PipelineName;

export const PIPELINES: Pipeline[] = ['generate', 'scene', 'lora', 'campaign', 'sprites'];
export const JOB_STATUSES: JobStatus[] = ['RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
export const FINISHED_STATUSES: JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export interface Job {
  id: string;
  runId: string | null;
  pipeline: string;
  title: string;
  stage: string;
  status: JobStatus;
  inputSummary: Record<string, unknown>;
  project: string | null;
  correlationId: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  links: { temporal: string | null };
}

export interface JobPage { jobs: Job[]; nextCursor: string | null }

export interface Asset {
  id: string;
  jobId: string;
  kind: string;
  relativePath: string;
  bytes: number;
  width: number | null;
  height: number | null;
  mime: string;
  createdAt: string;
  url: string;
}

export interface JobDetail { job: Job | null; state: PipelineState | null; assets: Asset[]; links: { temporal: string | null } }

/** a worker of a task queue: polling, or not since lastSeen (it stopped, or every slot of it is busy) */
export interface WorkerSeen { identity: string; lastSeen: string | null; polling: boolean }

/** an operator's drain of a GPU pool */
export interface PoolPause { pool: string; pausedAt: string; pausedBy: string | null; reason: string | null }
/** a GPU host in its pool's registry, with the prompts at its ComfyUI and its recent images per minute */
export interface PoolHost {
  host: string; state: 'live' | 'lost' | 'stopped'; since: string; lastSeen: string; comfyUrl: string; slots: number; version: string;
  prompts: { running: number; waiting: number } | { error: string }; imagesPerMinute: number;
}

export interface Health {
  status: 'ok' | 'degraded';
  temporal: { ok: boolean; address: string; namespace: string; webUrl: string | null; embedded: boolean; error?: string };
  database: { ok: boolean; embedded: boolean; version: string | null; error?: string };
  workers: { main: WorkerSeen[] };
  pools: {
    name: string; queue: string; comfyui: { url: string; demo: boolean; ok: boolean; version: string | null; error?: string }; workers: WorkerSeen[]; hasWorker: boolean;
    paused: PoolPause | null; hosts: PoolHost[]; imagesPerMinute: number | null; rateWindowMinutes: number | null;
  }[];
  trainer?: { demo: boolean; backend: string; arch: string; note?: string };
  llm: { configured: boolean; demo: boolean; baseUrl: string | null; ok: boolean; error?: string; models: { role: string; name: string; available: boolean | null }[] };
  defaultPool: string | null;
}

export type ParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'model' | 'image' | 'combo' | 'toggle';
export interface TemplateParameter {
  name: string;
  type: ParameterType;
  label?: string | null;
  default?: unknown;
  description?: string;
  optional?: boolean;
  /** the toggle it belongs to (used only while that toggle is on) */
  toggle?: string | null;
  /** the narrower of the manifest's and the pool's ComfyUI limits (when a pool was asked about) */
  min?: number | null;
  max?: number | null;
  step?: number | null;
  options?: (string | number)[] | null;
  /** toggles: whether the pool's ComfyUI can run it (null: not asked), and why not */
  available?: boolean | null;
  unavailable?: string | null;
}
export interface Template { id: string; source: 'builtin' | 'user'; title: string; description: string; parameters: TemplateParameter[]; nodeTypes: string[] }
export interface TemplateList {
  templates: Template[];
  errors: { file: string; error: string }[];
  userFolder: string | null;
  /** the pool whose ComfyUI was asked (GET /api/templates?pool=) */
  server: { pool: string; ok: boolean; error?: string } | null;
}

/** a LoRA file ComfyUI can load; trained ones say for which character and its trigger word */
export interface Lora { name: string; title?: string; characterName?: string; triggerWord?: string; steps?: number }

export interface GenerateAccepted { id: string; runId: string; links: { job: string; events: string; temporal: string | null } }

// Job records and their life-cycle events, written by each workflow's own activities so a workflow
// started from the `temporal` CLI or a script shows in the UI too.
import { Context, ApplicationFailure } from '@temporalio/activity';
import type { JobRepository, JobStatus } from '../db/jobs.ts';
import type { EmitEvent } from './events.ts';
import { generateInputSchema, describeIssues, type GenerateRequest } from '../core/generate-input.ts';
import { checkTemplateInput, findTemplate, TemplateError } from './templates.ts';

export interface JobDeps {
  jobs: JobRepository;
  emit: EmitEvent;
  gpuPools: string[];
  defaultPool?: string;
  templatesDir?: string;
  /** prompts a GPU worker keeps waiting at its ComfyUI behind the running one */
  comfyInflight: number;
}

export interface RegisteredGenerate { params: GenerateRequest & { seed: number; pool: string }; title: string; /** images in flight at once */ window: number }

export interface NewJob {
  pipeline: string;
  title: string;
  inputSummary: Record<string, unknown>;
  project?: string;
  correlationId?: string;
  /** what is wrong with the input, in words: the job is recorded (it shows in the UI) and fails at once */
  problem?: string;
  /** more for the job.started event (`count`: the images it will make, which pages show progress against) */
  started?: Record<string, unknown>;
}

/** A pipeline's first activity records its job this way, from inside the activity (its workflow id is the job id). */
export async function recordNewJob(deps: Pick<JobDeps, 'jobs' | 'emit'>, job: NewJob): Promise<string> {
  const { workflowId, runId } = Context.current().info.workflowExecution!;
  await deps.jobs.register({ id: workflowId, runId, pipeline: job.pipeline, title: job.title, stage: 'registered', inputSummary: job.inputSummary, project: job.project, correlationId: job.correlationId });
  if (job.problem) throw ApplicationFailure.nonRetryable(`bad ${job.pipeline} input: ${job.problem}`, 'BadInput');
  await deps.emit(workflowId, 'job.started', { pipeline: job.pipeline, title: job.title, correlationId: job.correlationId, ...job.started }, { dedupeKey: 'job.started' });
  return workflowId;
}

/** the job's GPU pool: the one it names (if configured) or the default */
export function choosePool(deps: Pick<JobDeps, 'gpuPools' | 'defaultPool'>, requested?: string): string {
  if (requested) {
    if (!deps.gpuPools.includes(requested)) throw ApplicationFailure.nonRetryable(`GPU pool "${requested}" is not configured; pools: ${deps.gpuPools.join(', ') || 'none'}`, 'BadInput');
    return requested;
  }
  if (!deps.defaultPool) throw ApplicationFailure.nonRetryable('no GPU pool is configured: set ATELIER_GPU_POOLS', 'BadInput');
  return deps.defaultPool;
}

export function jobActivities(deps: JobDeps) {

  return {
    /** Checks the input (it may come from the temporal CLI), records the job and returns the settled parameters. */
    async registerGenerate(raw: unknown, meta: { correlationId?: string; randomSeed: number }): Promise<RegisteredGenerate> {
      const { workflowId, runId } = Context.current().info.workflowExecution!;
      const parsed = generateInputSchema.safeParse(raw ?? {});
      const title = parsed.success ? parsed.data.title || parsed.data.prompt.slice(0, 80) : 'generate (bad input)';
      await deps.jobs.register({
        id: workflowId, runId, pipeline: 'generate', title, stage: 'registered',
        inputSummary: parsed.success ? { ...parsed.data } : { raw: raw as Record<string, unknown> },
        project: parsed.success ? parsed.data.project : undefined, correlationId: meta.correlationId,
      });
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`bad generate input: ${describeIssues(parsed.error)}`, 'BadInput');
      const pool = choosePool(deps, parsed.data.pool);
      try {
        checkTemplateInput(await findTemplate(parsed.data.template, deps.templatesDir), parsed.data);
      } catch (error) {
        if (error instanceof TemplateError) throw ApplicationFailure.nonRetryable(error.message, 'BadInput');
        throw error;
      }
      const params = { ...parsed.data, pool, seed: parsed.data.seed ?? meta.randomSeed };
      await deps.emit(workflowId, 'job.started', { pipeline: 'generate', title, pool, count: params.count, correlationId: meta.correlationId }, { dedupeKey: 'job.started' });
      await deps.jobs.update(workflowId, { stage: 'generating' });
      await deps.emit(workflowId, 'stage', { stage: 'generating', status: 'RUNNING' }, { dedupeKey: 'stage:generating' });
      return { params, title, window: deps.comfyInflight + 1 };
    },

    async recordStage(jobId: string, stage: string, status: JobStatus = 'RUNNING', data: Record<string, unknown> = {}): Promise<void> {
      await deps.jobs.update(jobId, { stage, status });
      await deps.emit(jobId, 'stage', { stage, status, ...data });
    },

    /** an event a workflow wants in the job's log (a review awaited, a decision taken); dedupeKey makes a replay append once */
    async recordEvent(jobId: string, type: string, data: Record<string, unknown>, options: { level?: 'info' | 'warn' | 'error'; dedupeKey?: string; stage?: string } = {}): Promise<void> {
      if (options.stage) await deps.jobs.update(jobId, { stage: options.stage });
      await deps.emit(jobId, type, data, { level: options.level, dedupeKey: options.dedupeKey });
    },

    async finishJob(jobId: string, status: Extract<JobStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>, detail: { error?: string; assets?: number } = {}): Promise<void> {
      await deps.jobs.update(jobId, { status, stage: status.toLowerCase(), error: detail.error ?? null });
      await deps.emit(jobId, `job.${status.toLowerCase()}`, detail, { level: status === 'FAILED' ? 'error' : 'info', dedupeKey: `job.finished` });
    },
  };
}

export type JobActivities = ReturnType<typeof jobActivities>;

// Job records and their life-cycle events, written by each workflow's own activities so a workflow
// started from the `temporal` CLI or a script shows in the UI too.
import { Context, ApplicationFailure } from '@temporalio/activity';
import type { JobRepository, JobStatus } from '../db/jobs.ts';
import type { EmitEvent } from './events.ts';
import type { EventLevel } from '../db/events.ts';
import { generateInputSchema, describeIssues, generateTemplateValues, type GenerateRequest } from '../core/generate-input.ts';
import { pickTemplate, type TemplateCatalogue } from '../core/templates/catalogue.ts';
import { TemplateError } from '../core/templates/manifest.ts';
import { assertStorableText, cleanText } from '../core/text.ts';

export interface JobDeps {
  jobs: JobRepository;
  emit: EmitEvent;
  gpuPools: string[];
  defaultPool?: string;
  templates: TemplateCatalogue;
  /** prompts a GPU worker keeps waiting at its ComfyUI behind the running one */
  comfyInflight: number;
}

/** the job's fields and its template's values in one object: the workflow hands all but the job's own fields to the template */
export interface RegisteredGenerate { params: Omit<GenerateRequest, 'params'> & Record<string, unknown> & { seed: number; pool: string }; title: string; /** images in flight at once */ window: number }

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

/**
 * A pipeline's first activity records its job this way, from inside the activity (its workflow id is the job id).
 * Text PostgreSQL cannot store fails the job here, naming the field, with a cleaned copy on record.
 */
export async function recordNewJob(deps: Pick<JobDeps, 'jobs' | 'emit'>, job: NewJob): Promise<string> {
  const { workflowId, runId } = Context.current().info.workflowExecution!;
  let problem = job.problem;
  try {
    assertStorableText(job.inputSummary, 'the input');
  } catch (error) {
    problem = (error as Error).message;
  }
  const title = cleanText(job.title);
  const correlationId = job.correlationId === undefined ? undefined : cleanText(job.correlationId);
  await deps.jobs.register({ id: workflowId, runId, pipeline: job.pipeline, title, stage: 'registered', inputSummary: cleanText(job.inputSummary), project: job.project && cleanText(job.project), correlationId });
  if (problem) throw ApplicationFailure.nonRetryable(`bad ${job.pipeline} input: ${problem}`, 'BadInput');
  await deps.emit(workflowId, 'job.started', { pipeline: job.pipeline, title, correlationId, ...cleanText(job.started ?? {}) }, { dedupeKey: 'job.started' });
  return workflowId;
}

export type EndStatus = Extract<JobStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>;

/**
 * A job's end, however it ended (its workflow's finishJob, or a termination in Temporal: workers/job-closures.ts): the
 * event first, so whoever sees the record's final status finds the job's whole log already written; once per job.
 */
export async function recordJobEnd(deps: Pick<JobDeps, 'jobs' | 'emit'>, jobId: string, status: EndStatus, data: Record<string, unknown>, options: { error?: string; level?: EventLevel } = {}): Promise<void> {
  await deps.emit(jobId, `job.${status.toLowerCase()}`, data, { level: options.level ?? (status === 'FAILED' ? 'error' : 'info'), dedupeKey: 'job.finished' });
  await deps.jobs.update(jobId, { status, stage: status.toLowerCase(), error: options.error ?? null });
}

/** the job's GPU pool: the one it names (if configured) or the default */
export function poolFor(deps: Pick<JobDeps, 'gpuPools' | 'defaultPool'>, requested?: string): string {
  if (requested) {
    if (!deps.gpuPools.includes(requested)) throw ApplicationFailure.nonRetryable(`GPU pool "${requested}" is not configured; pools: ${deps.gpuPools.join(', ') || 'none'}`, 'BadInput');
    return requested;
  }
  if (!deps.defaultPool) throw ApplicationFailure.nonRetryable('no GPU pool is configured: set ATELIER_GPU_POOLS', 'BadInput');
  return deps.defaultPool;
}

export function jobActivities(deps: JobDeps) {
  const choosePool = (requested?: string) => poolFor(deps, requested);

  return {
    /** Checks the input (it may come from the temporal CLI), records the job and returns the settled parameters. */
    async registerGenerate(raw: unknown, meta: { correlationId?: string; randomSeed: number }): Promise<RegisteredGenerate> {
      const { workflowId, runId } = Context.current().info.workflowExecution!;
      // text PostgreSQL cannot store is refused before anything of it is written; the record keeps a cleaned copy
      let refusal: string | undefined;
      try {
        assertStorableText(raw, 'the input');
      } catch (error) {
        refusal = (error as Error).message;
      }
      const parsed = refusal ? undefined : generateInputSchema.safeParse(raw ?? {});
      if (parsed && !parsed.success) refusal = describeIssues(parsed.error);
      const input = parsed?.success ? parsed.data : undefined;
      const title = input ? input.title || input.prompt.slice(0, 80) : 'generate (bad input)';
      const correlationId = meta.correlationId === undefined ? undefined : cleanText(meta.correlationId);
      await deps.jobs.register({
        id: workflowId, runId, pipeline: 'generate', title, stage: 'registered',
        inputSummary: input ? { ...input } : { raw: cleanText(raw ?? null) as Record<string, unknown> },
        project: input?.project, correlationId,
      });
      if (!input) throw ApplicationFailure.nonRetryable(`bad generate input: ${refusal}`, 'BadInput');
      const pool = choosePool(input.pool);
      let values: Record<string, unknown>;
      try {
        const snapshot = await deps.templates.snapshot();
        values = generateTemplateValues(input, pickTemplate(snapshot, input.template), snapshot.templates);
      } catch (error) {
        if (error instanceof TemplateError) throw ApplicationFailure.nonRetryable(`bad generate input: ${error.message}`, 'BadInput');
        throw error;
      }
      const { params: _params, ...fields } = input;
      const seed = input.seed ?? (typeof values.seed === 'number' ? values.seed : meta.randomSeed);
      const params = { ...fields, ...values, pool, seed };
      await deps.emit(workflowId, 'job.started', { pipeline: 'generate', title, pool, count: params.count, correlationId }, { dedupeKey: 'job.started' });
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

    async finishJob(jobId: string, status: EndStatus, detail: { error?: string; assets?: number } = {}): Promise<void> {
      await recordJobEnd(deps, jobId, status, detail, { error: detail.error });
    },
  };
}

export type JobActivities = ReturnType<typeof jobActivities>;

// Jobs whose workflow ended without running its own code: terminated in Temporal Web or with `temporal workflow
// terminate`, or past an execution timeout. The workflow writes its job's end itself (finishJob); these never do,
// and their record would say RUNNING for ever. The main worker asks Temporal's visibility which workflows closed
// so since it last looked (one list call), and records the end as finishJob does (recordJobEnd).
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { hasEnded, type JobRepository } from '../db/jobs.ts';
import type { EmitEvent } from '../activities/events.ts';
import { recordJobEnd } from '../activities/jobs.ts';

/** how often the main worker looks */
export const CLOSURES_EVERY_MS = 15_000;
/** at start it looks this far back: jobs terminated while no main worker ran */
const FIRST_LOOK_BACK_MS = 7 * 24 * 3_600_000;
/** visibility is written a moment after a workflow closes: each look overlaps the last by this much */
const OVERLAP_MS = 60_000;

// 2 = HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT: only the event that closed the run
const CLOSE_EVENT_ONLY = 2;

interface Deps { client: Client; namespace: string; jobs: JobRepository; emit: EmitEvent; logger: Pick<Logger, 'info' | 'warn' | 'debug'> }

/** why and by whom a run was terminated, from its close event */
async function termination(deps: Deps, workflowId: string, runId: string): Promise<{ reason: string; by: string }> {
  const { history } = await deps.client.workflowService.getWorkflowExecutionHistory({
    namespace: deps.namespace, execution: { workflowId, runId }, historyEventFilterType: CLOSE_EVENT_ONLY,
  });
  const attributes = history?.events?.[0]?.workflowExecutionTerminatedEventAttributes;
  return { reason: attributes?.reason || 'no reason given', by: attributes?.identity || 'someone' };
}

/** Finishes the job of each workflow closed as terminated or timed out since the last look. */
export function jobClosures(deps: Deps) {
  let lookedAt = Date.now() - FIRST_LOOK_BACK_MS;

  async function finish(workflowId: string): Promise<void> {
    const job = await deps.jobs.get(workflowId);
    if (!job || hasEnded(job.status)) return;
    // the latest run decides: a reset terminates a run and goes on in a new one
    const latest = await deps.client.workflow.getHandle(workflowId).describe();
    if (latest.status.name === 'TERMINATED') {
      const { reason, by } = await termination(deps, workflowId, latest.runId);
      await recordJobEnd(deps, workflowId, 'CANCELLED', { terminated: true, reason, by }, { error: `terminated in Temporal by ${by}: ${reason}`, level: 'warn' });
    } else if (latest.status.name === 'TIMED_OUT') {
      const error = 'timed out in Temporal: the workflow ran past its execution timeout';
      await recordJobEnd(deps, workflowId, 'FAILED', { error }, { error });
    } else {
      return;
    }
    deps.logger.info({ jobId: workflowId, status: latest.status.name }, 'job ended outside its workflow: recorded');
  }

  async function look(): Promise<void> {
    const started = Date.now();
    const since = new Date(lookedAt - OVERLAP_MS).toISOString();
    const query = `(ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut') AND CloseTime >= '${since}'`;
    for await (const execution of deps.client.workflow.list({ query })) {
      await finish(execution.workflowId);
    }
    lookedAt = started;
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failure: string | undefined;
  let looking: Promise<unknown> = Promise.resolve();
  return {
    /** looks now, then CLOSURES_EVERY_MS after each look ends; a failed look is logged and tried again at the next */
    start(everyMs = CLOSURES_EVERY_MS) {
      const next = () => {
        looking = look()
          .then(() => { failure = undefined; }, (error: Error) => {
            // a server whose visibility cannot answer the query fails every look alike: said once, not every 15 s
            deps.logger[error.message === failure ? 'debug' : 'warn']({ err: error.message }, 'looking for jobs ended outside their workflow failed');
            failure = error.message;
          })
          .finally(() => {
            if (stopped) return;
            timer = setTimeout(next, everyMs);
            timer.unref();
          });
      };
      next();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await looking;
    },
  };
}

// The LLM client inside an activity: notices become job events, waits and streams heartbeat, a cancelled activity
// aborts its request, and failures become the right Temporal failure (configuration: not retried).
import { Context, ApplicationFailure } from '@temporalio/activity';
import { LlmConfigError, LlmReplyError, type LlmCallOptions } from './llm.ts';
import type { EmitEvent } from './events.ts';

export function activityLlmOptions(emit: EmitEvent, jobId: string, step: string): LlmCallOptions {
  const context = Context.current();
  return {
    signal: context.cancellationSignal,
    onAlive: (detail) => context.heartbeat({ step, ...detail }),
    onNotice: (message, data) => void emit(jobId, 'llm.notice', { step, message, ...data }, { level: 'warn' }).catch(() => {}),
  };
}

/** Configuration problems and replies that never fit are not fixed by retrying the activity. */
export function asActivityFailure(error: unknown): unknown {
  if (error instanceof LlmConfigError) return ApplicationFailure.nonRetryable(error.message, 'LlmConfig');
  if (error instanceof LlmReplyError) return ApplicationFailure.nonRetryable(error.message, 'LlmReply', { attempts: error.attempts.map((a) => ({ attempt: a.attempt, problem: a.problem })) });
  return error;
}

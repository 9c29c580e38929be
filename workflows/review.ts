// The review loop every pipeline shares: a step waits for a person with the decisions it takes; the `review`
// update's validator refuses a decision for a step that is not waiting, one the step does not take, or one
// missing what it needs; the same decision id twice has one effect. Survives worker restarts (it is workflow state).
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { reviewUpdate, type AwaitingReview, type PipelineState, type ReviewDecision, type ReviewRecord } from './messages.ts';
import { DECISIONS, needsOf, REVIEW_SOURCES } from './review-decisions.ts';
import type { JobActivities } from '../activities/jobs.ts';

export type ReviewRequest = Omit<AwaitingReview, 'since'>;

export interface ReviewLoopOptions {
  /** told when a step starts waiting and when it is decided (pipelines record events and stages here) */
  onWaiting?: (request: AwaitingReview) => Promise<void> | void;
  onDecided?: (record: ReviewRecord) => Promise<void> | void;
}

interface Waiting { request: AwaitingReview; validate?: (decision: ReviewDecision) => string | undefined; decided?: ReviewRecord }

const refuse = (message: string) => ApplicationFailure.create({ type: 'ReviewRefused', message, nonRetryable: true });

export function reviewLoop(state: PipelineState, options: ReviewLoopOptions = {}) {
  const waiting = new Map<string, Waiting>();
  const applied = new Set<string>();
  state.reviews ??= [];

  function check(decision: ReviewDecision): void {
    if (!decision || typeof decision !== 'object') throw refuse('send a decision: {"stepId": "...", "decision": "...", "decisionId": "..."}');
    for (const field of ['stepId', 'decision', 'decisionId'] as const) {
      if (typeof decision[field] !== 'string' || !decision[field].trim()) throw refuse(`the decision needs "${field}" (a non-empty string)`);
    }
    if (applied.has(decision.decisionId)) return;
    const entry = waiting.get(decision.stepId);
    if (!entry) {
      const open = [...waiting.keys()];
      throw refuse(`step "${decision.stepId}" is not awaiting a review${open.length ? `: the steps awaiting one are ${open.join(', ')}` : ': nothing in this job is awaiting one now'}`);
    }
    const allowed = entry.request.decisions;
    if (!allowed.includes(decision.decision)) throw refuse(`step "${decision.stepId}" does not take "${decision.decision}": choose one of ${allowed.join(', ')}`);
    const needs = needsOf(decision.decision);
    if (needs === 'prompt' && (typeof decision.prompt !== 'string' || !decision.prompt.trim())) throw refuse(`"${decision.decision}" needs a prompt: send "prompt" with the new text`);
    if (needs === 'mask' && (typeof decision.maskAssetId !== 'string' || !/^a_[0-9a-f]{24}$/.test(decision.maskAssetId))) throw refuse(`"${decision.decision}" needs a mask: upload a PNG (POST /api/uploads) and send its id as "maskAssetId"`);
    if (decision.source !== undefined && !REVIEW_SOURCES.includes(decision.source)) throw refuse(`source must be one of ${REVIEW_SOURCES.join(', ')}`);
    const frame = entry.request.maskFor;
    if (needs === 'mask' && frame && decision.maskSize && (decision.maskSize.width !== frame.width || decision.maskSize.height !== frame.height)) {
      throw refuse(`the mask is ${decision.maskSize.width} × ${decision.maskSize.height} pixels but the step's image is ${frame.width} × ${frame.height}: draw or upload a mask of exactly the image's size`);
    }
    const problem = entry.validate?.(decision);
    if (problem) throw refuse(problem);
  }


  // registered at the first wait, not before: after a worker restart the first activation may carry a decision
  // together with the workflow's start, and it must meet the step already waiting (buffered updates are
  // dispatched the moment a handler is set)
  let registered = false;
  function register(): void {
    if (registered) return;
    registered = true;
    setHandler(reviewUpdate, (decision: ReviewDecision) => {
      if (applied.has(decision.decisionId)) return state;
      const entry = waiting.get(decision.stepId)!;
      const record: ReviewRecord = { ...decision, source: decision.source ?? 'temporal', kind: entry.request.kind, at: new Date().toISOString() };
      applied.add(decision.decisionId);
      waiting.delete(decision.stepId);
      entry.decided = record;
      state.awaitingReview = state.awaitingReview.filter((r) => r.stepId !== decision.stepId);
      state.reviews!.push(record);
      return state;
    }, { validator: check });
  }

  return {
    /** Waits for a person's decision on this step; `validate` adds the pipeline's own checks (words, or undefined). */
    async waitFor(request: ReviewRequest, validate?: (decision: ReviewDecision) => string | undefined): Promise<ReviewRecord> {
      for (const name of request.decisions) if (!(name in DECISIONS)) throw new Error(`unknown review decision "${name}"`);
      if (waiting.has(request.stepId)) throw new Error(`step "${request.stepId}" is already awaiting a review`);
      const entry: Waiting = { request: { ...request, since: new Date().toISOString() }, validate };
      waiting.set(request.stepId, entry);
      state.awaitingReview.push(entry.request);
      register();
      await options.onWaiting?.(entry.request);
      await condition(() => entry.decided !== undefined);
      await options.onDecided?.(entry.decided!);
      return entry.decided!;
    },
    /** a step no longer needs a person (its job was cancelled, say) */
    withdraw(stepId: string): void {
      waiting.delete(stepId);
      state.awaitingReview = state.awaitingReview.filter((r) => r.stepId !== stepId);
    },
    isWaiting: (stepId: string) => waiting.has(stepId),
  };
}

export type ReviewLoop = ReturnType<typeof reviewLoop>;

/** Review waits and decisions in the job's log (the UI follows them live) and its stage in the job record. */
export function reviewEvents(jobId: string, jobs: Pick<JobActivities, 'recordEvent'>, stageAfter: () => string): ReviewLoopOptions {
  return {
    onWaiting: (request) => jobs.recordEvent(jobId, 'review.awaiting', { step: request.stepId, kind: request.kind, title: request.title, reason: request.reason, decisions: request.decisions },
      { dedupeKey: `review.awaiting:${request.stepId}:${request.since}`, stage: 'awaiting-review' }),
    onDecided: (record) => jobs.recordEvent(jobId, 'review.decided', { step: record.stepId, decision: record.decision, source: record.source, by: record.by ?? null, prompt: record.prompt ?? null, note: record.note ?? null },
      { dedupeKey: `review.decided:${record.decisionId}`, stage: stageAfter() }),
  };
}

// How a scene step is reviewed: which decisions it takes, what the person reads, and the state kept for each
// attempt. Pure functions of the workflow's state.
import type { ReviewRequest } from './review.ts';
import type { ReviewRecord } from './messages.ts';
import { nextVariation, thresholdsFor, type PlanStep } from './scene-plan.ts';
import type { SceneAttempt, SceneStep } from './scene-state.ts';

export function toSceneStep(plan: PlanStep, index: number): SceneStep {
  return { id: plan.id, label: `${index + 1}. ${plan.type} ${plan.target}`, status: 'pending', attempts: 0, assets: [], type: plan.type, target: plan.target, plan: { ...plan, thresholds: thresholdsFor(plan) }, history: [] };
}

/** retry with the next unused variation, a mask, the background removed first, accept or skip */
export function decisionsFor(step: SceneStep, passed: boolean): string[] {
  const type = step.plan.type;
  return [
    passed ? 'approve' : undefined,
    'retry',
    type === 'EXTRACT' || type === 'REMOVE' ? 'mask' : undefined,
    type === 'EXTRACT' ? 'bg-remove' : undefined,
    passed ? undefined : 'accept',
    'skip',
  ].filter((d): d is string => Boolean(d));
}

export const usedPrompts = (step: SceneStep) => step.history.map((a) => a.prompt);

export function reviewRequestFor(step: SceneStep, attempt: SceneAttempt, position: string): ReviewRequest {
  const passed = attempt.passed === true;
  const failed = attempt.metrics.filter((m) => !m.pass).map((m) => m.label.toLowerCase());
  const reason = attempt.error ? `attempt ${attempt.n} failed: ${attempt.error}`
    : passed ? `attempt ${attempt.n} passed its checks; this job reviews every step`
    : `attempt ${attempt.n} failed its check${failed.length > 1 ? 's' : ''}: ${failed.join('; ')}`;
  const frame = attempt.input;
  return {
    stepId: step.id,
    kind: 'step',
    title: `Step ${position}: ${step.plan.type} ${step.target}`,
    reason,
    decisions: decisionsFor(step, passed),
    suggestedPrompt: nextVariation(step.plan, usedPrompts(step)) ?? attempt.prompt,
    metrics: attempt.metrics,
    assets: [attempt.input, ...(attempt.output ? [attempt.output] : []), ...(attempt.maskAsset ? [attempt.maskAsset] : [])],
    maskFor: frame.width && frame.height ? { assetId: frame.id, width: frame.width, height: frame.height } : undefined,
    detail: { attempt: attempt.n, type: step.plan.type, prompt: attempt.prompt, backend: attempt.backend, passed, error: attempt.error ?? null },
  };
}

export function recordDecision(attempt: SceneAttempt, record: ReviewRecord): void {
  attempt.decision = { decision: record.decision, source: record.source, decisionId: record.decisionId, by: record.by, at: record.at };
}

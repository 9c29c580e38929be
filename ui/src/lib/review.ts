// Sending a review decision from the UI: one decision id per click, so a retried request counts once.
import { api } from './api.ts';
import { DECISIONS, needsOf } from '../../../workflows/review-decisions.ts';
import type { PipelineState, ReviewMetric } from '../../../workflows/messages.ts';

export type { AwaitingReview, ReviewMetric } from '../../../workflows/messages.ts';

export interface DecisionPayload { prompt?: string; maskAssetId?: string; assetIds?: string[]; edits?: Record<string, unknown>; note?: string }

export const decisionLabel = (name: string) => (DECISIONS as Record<string, { label: string }>)[name]?.label ?? name;
export const decisionHelp = (name: string) => (DECISIONS as Record<string, { help: string }>)[name]?.help ?? '';
export { needsOf };

export function newDecisionId(): string {
  return `ui-${crypto.randomUUID()}`;
}

export async function sendReview(jobId: string, stepId: string, decision: string, payload: DecisionPayload = {}, decisionId = newDecisionId()): Promise<PipelineState> {
  const body = await api<{ state: PipelineState }>(`/api/jobs/${encodeURIComponent(jobId)}/review`, { method: 'POST', json: { stepId, decision, decisionId, source: 'ui', ...payload } });
  return body.state;
}

/** "0.42 (0.05–0.60)" for a metric against its range */
export function metricText(metric: ReviewMetric): string {
  const round = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));
  const unit = metric.unit ? ` ${metric.unit}` : '';
  const range = metric.min !== undefined && metric.max !== undefined ? `${round(metric.min)}–${round(metric.max)}` : metric.min !== undefined ? `≥ ${round(metric.min)}` : metric.max !== undefined ? `≤ ${round(metric.max)}` : '';
  return `${round(metric.value)}${unit}${range ? ` (wanted ${range}${unit})` : ''}`;
}

// Test helpers around sprites jobs: start one, read its state, wait for its sprites to await review, decide.
import { until, type TestStack } from './stack.ts';
import type { SpritesState } from '../../workflows/sprites-state.ts';

export async function startSprites(stack: TestStack, body: Record<string, unknown>): Promise<string> {
  const response = await stack.api('/api/sprites', { method: 'POST', json: body });
  if (response.status !== 202) throw new Error(`sprites refused (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

export async function spritesState(stack: TestStack, id: string): Promise<SpritesState | null> {
  const response = await stack.api(`/api/jobs/${id}`);
  return response.status === 200 ? (response.body.state as SpritesState | null) : null;
}

/** waits until `count` sprites of the job await review (and nothing is still being made) */
export async function awaitingSprites(stack: TestStack, id: string, count: number, timeoutMs = 120_000): Promise<SpritesState> {
  return until(`${count} sprite(s) of ${id} to await review`, async () => {
    const state = await spritesState(stack, id);
    return state && state.awaitingReview.length === count ? state : undefined;
  }, timeoutMs, 250);
}

export async function decide(stack: TestStack, id: string, stepId: string, decision: string, extra: Record<string, unknown> = {}) {
  const response = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId, decision, ...extra } });
  if (response.status !== 200) throw new Error(`${decision} for ${stepId} refused (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body.state as SpritesState;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentStep, elapsedMs, firstSamplingTime, fractionDone, remainingMs, stepProgress } from '../../ui/src/lib/progress.ts';
import { formatDuration } from '../../ui/src/lib/format.ts';
import type { JobEvent } from '../../ui/src/lib/types.ts';

const T0 = Date.parse('2026-05-01T10:00:00Z');
let seq = 0;
const ev = (ms: number, type: string, data: Record<string, unknown> = {}): JobEvent =>
  ({ id: ++seq, jobId: 'j', seq, time: new Date(T0 + ms).toISOString(), level: 'info', type, data });

const twoImages = () => {
  seq = 0;
  return [
    ev(0, 'comfy.queued', { step: 'image-1', number: 1 }),
    ev(0, 'comfy.queued', { step: 'image-2', number: 2 }),
    ev(1000, 'progress', { step: 'image-1', node: '3', value: 5, max: 20 }),
    ev(3000, 'progress', { step: 'image-1', node: '3', value: 20, max: 20 }),
    ev(3100, 'asset.created', { step: 'image-1', assetId: 'a_1', width: 1024, height: 1024 }),
    ev(4000, 'progress', { step: 'image-2', node: '3', value: 10, max: 20 }),
  ];
};

test('each image moves queued → running (with node and step) → done, in the order they appeared', () => {
  const steps = stepProgress(twoImages());
  assert.deepEqual(steps.map((s) => [s.step, s.phase]), [['image-1', 'done'], ['image-2', 'running']]);
  assert.deepEqual(steps[0]!.assetIds, ['a_1']);
  assert.deepEqual({ node: steps[1]!.node, value: steps[1]!.value, max: steps[1]!.max }, { node: '3', value: 10, max: 20 });
  assert.equal(currentStep(steps)!.step, 'image-2');
});

test('the fraction done counts finished images whole and the running one by its sampler step', () => {
  const steps = stepProgress(twoImages());
  assert.equal(fractionDone(steps, 2), 0.75);
  assert.equal(fractionDone(steps, 4), 0.375);
  assert.equal(fractionDone([], 0), 0);
});

test('ETA extrapolates from when sampling began: 75 % done after 3 s leaves 1 s', () => {
  const steps = stepProgress(twoImages());
  const since = firstSamplingTime(steps)!;
  assert.equal(since, T0 + 1000);
  assert.equal(remainingMs(fractionDone(steps, 2), since, T0 + 4000), 1000);
});

test('no ETA before there is enough to go on; zero once everything is done', () => {
  assert.equal(remainingMs(0.5, undefined, T0), null);
  assert.equal(remainingMs(0.01, T0, T0 + 60_000), null);
  assert.equal(remainingMs(0.5, T0, T0 + 500), null);
  assert.equal(remainingMs(1, T0, T0 + 10), 0);
});

test('a cancelled or failed job stops its unfinished images; a finished image stays done', () => {
  const cancelled = stepProgress([...twoImages(), ev(5000, 'comfy.cancelled', { step: 'image-2', how: 'interrupted' }), ev(5100, 'job.cancelled')]);
  assert.deepEqual(cancelled.map((s) => s.phase), ['done', 'cancelled']);
  assert.equal(currentStep(cancelled), undefined);
  const failed = stepProgress([...twoImages(), ev(5000, 'job.failed', { error: 'x' })]);
  assert.deepEqual(failed.map((s) => s.phase), ['done', 'failed']);
});

test('ComfyUI notices are kept with their image', () => {
  const steps = stepProgress([...twoImages(), ev(4500, 'comfy.notice', { step: 'image-2', message: 'checkpoint missing, using another' })]);
  assert.deepEqual(steps[1]!.notices, ['checkpoint missing, using another']);
});

test('elapsed runs to now while running and stops at the finish', () => {
  const start = new Date(T0).toISOString();
  assert.equal(elapsedMs(start, null, T0 + 5000), 5000);
  assert.equal(elapsedMs(start, new Date(T0 + 2000).toISOString(), T0 + 9000), 2000);
});

test('durations read as people say them', () => {
  assert.equal(formatDuration(12_400), '12 s');
  assert.equal(formatDuration(185_000), '3 min 05 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
  assert.equal(formatDuration(Number.NaN), '—');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimeline } from '../../ui/src/lib/timeline.ts';
import type { JobEvent } from '../../ui/src/lib/types.ts';

const T0 = Date.parse('2026-05-01T10:00:00Z');
let seq = 0;
const ev = (second: number, type: string, data: Record<string, unknown> = {}, level: JobEvent['level'] = 'info'): JobEvent =>
  ({ id: 1000 + ++seq, jobId: 'j', seq, time: new Date(T0 + second * 1000).toISOString(), level, type, data });
const at = (second: number) => new Date(T0 + second * 1000).toISOString();

test('a finished generate job reads started → generating → completed, each stage closed when the next begins', () => {
  seq = 0;
  const timeline = buildTimeline([
    ev(0, 'job.started', { pipeline: 'generate', pool: 'demo', count: 2 }),
    ev(1, 'stage', { stage: 'generating', status: 'RUNNING' }),
    ev(2, 'progress', { step: 'image-1', value: 5, max: 20 }, 'debug'),
    ev(9, 'job.completed', { assets: 2 }),
  ]);
  assert.deepEqual(timeline.map((e) => [e.label, e.status]), [['Started', 'done'], ['Generating', 'done'], ['Completed', 'done']]);
  assert.equal(timeline[0]!.detail, 'GPU pool demo · 2 images');
  assert.deepEqual([timeline[1]!.startedAt, timeline[1]!.endedAt], [at(1), at(9)]);
  assert.equal(timeline[2]!.detail, '2 images');
});

test('a running job has its current stage active and open-ended', () => {
  seq = 0;
  const timeline = buildTimeline([ev(0, 'job.started', {}), ev(1, 'stage', { stage: 'generating', status: 'RUNNING' })]);
  assert.equal(timeline.at(-1)!.status, 'active');
  assert.equal(timeline.at(-1)!.endedAt, undefined);
});

test('a pause inside a stage adds a paused entry that closes on resume, and the stage carries on', () => {
  seq = 0;
  const events = [
    ev(0, 'stage', { stage: 'generating', status: 'RUNNING' }),
    ev(3, 'stage', { stage: 'generating', status: 'PAUSED', paused: true }),
  ];
  const paused = buildTimeline(events);
  assert.deepEqual(paused.map((e) => [e.label, e.status]), [['Generating', 'paused'], ['Paused', 'paused']]);
  const resumed = buildTimeline([...events, ev(8, 'stage', { stage: 'generating', status: 'RUNNING', paused: false })]);
  assert.deepEqual(resumed.map((e) => [e.label, e.status]), [['Generating', 'active'], ['Paused, then resumed', 'done']]);
  assert.equal(resumed[1]!.endedAt, at(8));
});

test('failure and cancellation close the open stage with that outcome and say why', () => {
  seq = 0;
  const failed = buildTimeline([ev(0, 'stage', { stage: 'generating' }), ev(4, 'job.failed', { error: 'ComfyUI failed at node 4' }, 'error')]);
  assert.deepEqual(failed.map((e) => [e.label, e.status]), [['Generating', 'failed'], ['Failed', 'failed']]);
  assert.equal(failed[1]!.detail, 'ComfyUI failed at node 4');
  const cancelled = buildTimeline([ev(0, 'stage', { stage: 'generating' }), ev(2, 'stage', { stage: 'generating', paused: true }), ev(4, 'job.cancelled', { assets: 2 })]);
  assert.deepEqual(cancelled.map((e) => [e.label, e.status]), [['Generating', 'cancelled'], ['Paused', 'cancelled'], ['Cancelled', 'cancelled']]);
  assert.equal(cancelled[2]!.detail, '2 images kept');
});

test('stages of pipelines not known today appear by name; unknown event types are left to the log', () => {
  seq = 0;
  const timeline = buildTimeline([
    ev(0, 'stage', { stage: 'plan-review' }), ev(1, 'scene.validated', { ok: true }), ev(2, 'stage', { stage: 'extract_layers' }),
  ]);
  assert.deepEqual(timeline.map((e) => e.label), ['Plan review', 'Extract layers']);
  assert.equal(timeline[0]!.status, 'done');
});

test('the timeline grows as events arrive: each prefix of the log gives the timeline so far', () => {
  seq = 0;
  const log = [ev(0, 'job.started', { count: 1 }), ev(1, 'stage', { stage: 'generating' }), ev(5, 'job.completed', { assets: 1 })];
  assert.deepEqual([1, 2, 3].map((n) => buildTimeline(log.slice(0, n)).length), [1, 2, 3]);
});

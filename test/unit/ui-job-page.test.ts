import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainJobError } from '../../ui/src/lib/job-errors.ts';
import { atLeast, describeEvent } from '../../ui/src/lib/event-text.ts';
import { galleryImages } from '../../ui/src/lib/gallery.ts';
import { errorMessage } from '../../ui/src/lib/api.ts';
import type { Asset, JobEvent } from '../../ui/src/lib/types.ts';

test('job errors come with advice a person can act on', () => {
  assert.match(explainJobError('GPU pool "big" is not configured; pools: demo').advice, /Health page/);
  assert.match(explainJobError('Activity task timed out').advice, /GPU worker stopped answering/);
  assert.match(explainJobError('ComfyUI failed at node 4 (CheckpointLoaderSimple): value_not_in_list').advice, /checkpoint/);
  assert.match(explainJobError('ComfyUI failed at node 3 (KSampler): CUDA out of memory').advice, /ran out of memory/);
  assert.match(explainJobError('something odd').advice, /event log/);
  assert.equal(explainJobError('lower case start').message, 'Lower case start');
  assert.match(explainJobError('  ').message, /without saying why/);
});

test('API errors are shown as the API wrote them, and other failures as a sentence', () => {
  assert.equal(errorMessage({ status: 400, statusText: 'Bad Request' }, { error: 'prompt is empty: describe the image' }), 'prompt is empty: describe the image');
  assert.match(errorMessage({ status: 502, statusText: 'Bad Gateway' }, '<html>'), /not reachable/);
  assert.match(errorMessage({ status: 500, statusText: 'Internal Server Error' }, null), /answered 500/);
});

const ev = (seq: number, type: string, data: Record<string, unknown>, level: JobEvent['level'] = 'info'): JobEvent =>
  ({ id: seq, jobId: 'j', seq, time: '2026-05-01T10:00:00Z', level, type, data });

test('the log describes known events in words and shows unknown ones with their data', () => {
  assert.equal(describeEvent(ev(1, 'progress', { step: 'image-2', node: '3', value: 4, max: 20 })), 'Image 2: sampling 4/20 at node 3');
  assert.equal(describeEvent(ev(2, 'job.failed', { error: 'boom' })), 'Failed: boom');
  assert.equal(describeEvent(ev(2, 'job.cancelled', {})), 'Cancelled');
  assert.equal(describeEvent(ev(2, 'job.cancelled', { terminated: true, by: 'temporal-cli:ops@host', reason: 'wrong prompt' })), 'Terminated in Temporal by temporal-cli:ops@host: wrong prompt');
  assert.equal(describeEvent(ev(5, 'job.started', { title: 'Fox', pool: 'demo', count: 1 })), 'Started “Fox” on GPU pool demo (1 image)');
  assert.equal(describeEvent(ev(3, 'lora.loss', { step: 10, loss: 0.12 })), 'lora.loss {"step":10,"loss":0.12}');
  assert.equal(describeEvent(ev(4, 'sprites.deployed', {})), 'sprites.deployed');
});

test('the level filter keeps events at or above the chosen level', () => {
  assert.deepEqual((['debug', 'info', 'warn', 'error'] as const).filter((l) => atLeast(l, 'warn')), ['warn', 'error']);
});

test('the gallery lists images as they are saved, then fills in from the asset records, once each', () => {
  const asset = (id: string): Asset => ({ id, jobId: 'j', kind: 'generations', relativePath: `jobs/j/${id}.png`, bytes: 1, width: 512, height: 512, mime: 'image/png', createdAt: '', url: `/api/assets/${id}` });
  const images = galleryImages(
    [ev(1, 'asset.created', { step: 'image-1', assetId: 'a_1', width: 1024, height: 768 })],
    [asset('a_1'), asset('a_2'), { ...asset('a_3'), mime: 'application/json' }],
    [{ id: 'image-1', label: 'Image 1 (seed 7)', status: 'done', attempts: 1, assets: [] }, { id: 'image-2', label: 'Image 2 (seed 8)', status: 'done', attempts: 1, assets: [{ id: 'a_2', path: '', kind: '', mime: 'image/png' }] }],
  );
  assert.deepEqual(images.map((i) => [i.id, i.label, i.url]), [['a_1', 'Image 1 (seed 7)', '/api/assets/a_1'], ['a_2', 'Image 2 (seed 8)', '/api/assets/a_2']]);
  assert.equal(images[0]!.width, 1024);
});

test("the gallery shows images in the job's order, whatever order ComfyUI finished them in", () => {
  const step = (n: number) => ({ id: `image-${n}`, label: `Image ${n}`, status: 'done' as const, attempts: 1, assets: [] });
  const images = galleryImages(
    [ev(1, 'asset.created', { step: 'image-3', assetId: 'a_3' }), ev(2, 'asset.created', { step: 'image-1', assetId: 'a_1' }), ev(3, 'asset.created', { step: 'image-2', assetId: 'a_2' })],
    [],
    [step(1), step(2), step(3)],
  );
  assert.deepEqual(images.map((i) => i.id), ['a_1', 'a_2', 'a_3']);
});

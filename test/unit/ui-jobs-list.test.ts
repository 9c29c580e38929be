import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendPage, filterFromSearch, filterSearch, jobChange, jobsUrl, mergeNewest, pageSizeFromSearch, EMPTY_FILTER } from '../../ui/src/lib/jobs-list.ts';
import type { Job, JobEvent } from '../../ui/src/lib/types.ts';

const job = (id: string, extra: Partial<Job> = {}): Job => ({
  id, runId: null, pipeline: 'generate', title: id, stage: 'generating', status: 'RUNNING', inputSummary: {}, project: null, correlationId: null,
  error: null, createdAt: '2026-05-01T10:00:00Z', updatedAt: '2026-05-01T10:00:00Z', finishedAt: null, links: { temporal: 'http://t' }, ...extra,
});
const event = (type: string, data: Record<string, unknown> = {}): JobEvent => ({ id: 1, jobId: 'a', seq: 1, time: '2026-05-01T10:01:00Z', level: 'info', type, data });

test('filters live in the address: unknown values are dropped, known ones survive a round trip', () => {
  const filter = filterFromSearch('?pipeline=generate&status=FAILED&stage=generating&q=fox&limit=200');
  assert.deepEqual(filter, { pipeline: 'generate', status: 'FAILED', stage: 'generating', q: 'fox' });
  assert.equal(filterFromSearch(filterSearch(filter, 200)).q, 'fox');
  assert.equal(pageSizeFromSearch(filterSearch(filter, 200)), 200);
  assert.deepEqual(filterFromSearch('?pipeline=nope&status=done'), EMPTY_FILTER);
  assert.equal(pageSizeFromSearch('?limit=7'), 50);
  assert.equal(filterSearch(EMPTY_FILTER), '');
});

test('the API request carries the filters, the page size and the cursor', () => {
  const url = new URL(jobsUrl({ ...EMPTY_FILTER, status: 'RUNNING', q: 'a b' }, 100, 'abc'), 'http://x');
  assert.equal(url.pathname, '/api/jobs');
  assert.deepEqual(Object.fromEntries(url.searchParams), { status: 'RUNNING', q: 'a b', limit: '100', cursor: 'abc' });
});

test('events change the row: stage and status, then the ending with its error', () => {
  assert.deepEqual(jobChange(event('stage', { stage: 'generating', status: 'PAUSED', paused: true })), { stage: 'generating', status: 'PAUSED' });
  assert.deepEqual(jobChange(event('job.completed', { assets: 2 })), { status: 'COMPLETED', stage: 'completed', finishedAt: '2026-05-01T10:01:00Z' });
  assert.equal(jobChange(event('job.failed', { error: 'boom' }))!.error, 'boom');
  assert.equal(jobChange(event('job.cancelled'))!.status, 'CANCELLED');
  assert.equal(jobChange(event('progress', { value: 1 })), null);
  assert.equal(jobChange(event('stage', { stage: 'x', status: 'WEIRD' }))!.status, undefined);
});

test('a fresh first page puts new jobs on top and refreshes the rows already shown, without duplicates', () => {
  const shown = [job('b'), job('a')];
  const merged = mergeNewest(shown, [job('d'), job('c'), job('b', { status: 'COMPLETED' })]);
  assert.deepEqual(merged.map((j) => j.id), ['d', 'c', 'b', 'a']);
  assert.equal(merged[2]!.status, 'COMPLETED');
});

test('"Load more" appends the next page and skips jobs already shown', () => {
  assert.deepEqual(appendPage([job('c'), job('b')], [job('b'), job('a')]).map((j) => j.id), ['c', 'b', 'a']);
});

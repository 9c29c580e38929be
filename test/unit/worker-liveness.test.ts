import { test } from 'node:test';
import assert from 'node:assert/strict';
import proto from '@temporalio/proto';
import { POLLED_WITHIN_MS, poolHasWorker, workersSeen } from '../../api/worker-liveness.ts';

const now = Date.parse('2026-12-01T12:00:00Z');
// a poller as the client decodes DescribeTaskQueue's answer: its last poll a Timestamp (seconds a Long)
const polled = (identity: string, msAgo: number) => proto.temporal.api.taskqueue.v1.PollerInfo.fromObject({ identity, lastAccessTime: { seconds: String(Math.floor((now - msAgo) / 1000)) }, ratePerSecond: 100_000 });

test('a worker counts as polling only within a long poll of its last poll; a killed one stays listed, not polling', () => {
  const seen = workersSeen([polled('1@live', 44_000), polled('2@killed', 150_000), polled('3@gone', 6 * 60_000)], now);
  assert.deepEqual(seen, [
    { identity: '1@live', lastSeen: '2026-12-01T11:59:16.000Z', polling: true },
    { identity: '2@killed', lastSeen: '2026-12-01T11:57:30.000Z', polling: false },
  ]);
  assert.equal(workersSeen([polled('edge', POLLED_WITHIN_MS)], now)[0]!.polling, true);
  assert.equal(workersSeen([polled('edge', POLLED_WITHIN_MS + 1000)], now)[0]!.polling, false);
  // without a time it cannot be judged stale
  assert.deepEqual(workersSeen([{ identity: 'x' }], now), [{ identity: 'x', lastSeen: null, polling: true }]);
});

test('a pool has a worker while one polls or one of its hosts beats (a worker with every slot busy polls no more)', () => {
  const stale = workersSeen([polled('2@busy', 150_000)], now);
  assert.equal(poolHasWorker(stale, []), false);
  assert.equal(poolHasWorker(stale, [{ state: 'lost' }, { state: 'stopped' }]), false);
  assert.equal(poolHasWorker(stale, [{ state: 'lost' }, { state: 'live' }]), true);
  assert.equal(poolHasWorker(workersSeen([polled('1@live', 1000)], now), []), true);
});

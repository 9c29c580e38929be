import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLiveStream, withAfter, type EventSourceLike, type StreamState } from '../../ui/src/lib/live-stream.ts';

class FakeSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  open() { this.readyState = 1; this.onopen?.({} as Event); }
  send(seq: number, extra: Record<string, unknown> = {}) { this.onmessage?.({ data: JSON.stringify({ seq, ...extra }) } as MessageEvent); }
  /** the browser will retry by itself (readyState CONNECTING) or has given up (CLOSED) */
  drop(givesUp: boolean) { this.readyState = givesUp ? 2 : 0; this.onerror?.({} as Event); }
  close() { this.closed = true; this.readyState = 2; }
}

function harness(after?: number) {
  const sources: FakeSource[] = [];
  const timers: { run: () => void; ms: number; cleared: boolean }[] = [];
  const seen: number[] = [];
  const states: StreamState[] = [];
  const stream = openLiveStream<{ seq: number }>({
    url: '/api/jobs/j1/events', after, cursorOf: (e) => e.seq, onEvent: (e) => seen.push(e.seq), onState: (s) => states.push(s),
    open: (url) => { const s = new FakeSource(url); sources.push(s); return s; },
    retryDelaysMs: [100, 500],
    setTimer: (run, ms) => { const t = { run, ms, cleared: false }; timers.push(t); return t; },
    clearTimer: (t) => { (t as { cleared: boolean }).cleared = true; },
  });
  return { stream, sources, timers, seen, states };
}

test('a job page replays from the start: the first request asks for everything after 0', () => {
  const { sources, states } = harness(0);
  assert.equal(sources[0]!.url, '/api/jobs/j1/events?after=0');
  sources[0]!.open();
  assert.deepEqual(states, ['connecting', 'live']);
});

test('a stream without a cursor (the all-jobs list) starts live, with no after parameter', () => {
  const { sources } = harness(undefined);
  assert.equal(sources[0]!.url, '/api/jobs/j1/events');
  assert.equal(withAfter('/api/events?x=1', 5), '/api/events?x=1&after=5');
});

test('events at or before the last one seen are dropped, so an overlapping replay repeats nothing', () => {
  const { sources, seen, stream } = harness(0);
  const source = sources[0]!;
  source.open();
  for (const seq of [1, 2, 3]) source.send(seq);
  source.drop(false);
  source.open();
  for (const seq of [2, 3, 4]) source.send(seq);
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(stream.cursor, 4);
});

test('while the browser retries by itself we only report "reconnecting" and open nothing new', () => {
  const { sources, timers, states } = harness(0);
  sources[0]!.open();
  sources[0]!.drop(false);
  assert.equal(sources.length, 1);
  assert.equal(timers.length, 0);
  assert.equal(states.at(-1), 'reconnecting');
  sources[0]!.open();
  assert.equal(states.at(-1), 'live');
});

test('when the browser gives up, a new connection resumes after the last event seen, with growing waits', () => {
  const { sources, timers, seen } = harness(0);
  sources[0]!.open();
  sources[0]!.send(1);
  sources[0]!.send(2);
  sources[0]!.drop(true);
  assert.equal(sources[0]!.closed, true);
  assert.equal(timers[0]!.ms, 100);
  timers[0]!.run();
  assert.equal(sources[1]!.url, '/api/jobs/j1/events?after=2');
  sources[1]!.drop(true);
  assert.equal(timers[1]!.ms, 500);
  timers[1]!.run();
  sources[2]!.drop(true);
  assert.equal(timers[2]!.ms, 500, 'the last wait repeats');
  timers[2]!.run();
  sources[3]!.open();
  sources[3]!.send(3);
  sources[3]!.drop(true);
  assert.equal(timers[3]!.ms, 100, 'a connection that opened resets the waits');
  assert.deepEqual(seen, [1, 2, 3]);
});

test('closing stops the connection and any pending reconnect; later errors change nothing', () => {
  const { sources, timers, states, stream } = harness(0);
  sources[0]!.open();
  sources[0]!.drop(true);
  stream.close();
  assert.equal(timers[0]!.cleared, true);
  assert.equal(stream.state, 'closed');
  sources[0]!.onerror?.({} as Event);
  assert.equal(states.at(-1), 'closed');
  assert.equal(timers.length, 1);
});

test('a message that is not JSON is ignored', () => {
  const { sources, seen } = harness(0);
  sources[0]!.open();
  sources[0]!.onmessage?.({ data: 'not json' } as MessageEvent);
  sources[0]!.send(1);
  assert.deepEqual(seen, [1]);
});

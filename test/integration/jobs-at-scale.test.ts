// Many clients and many jobs: live events handed to 100 SSE streams from their notifications (the log read only for
// an event too large to carry, after a lost notification and after the API's listen was cut), with Last-Event-ID reconnects that miss nothing; and `GET /api/jobs` paging through jobs created within one
// millisecond.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { openSse, type SseStream } from '../support/sse.ts';
import { eventLog, EVENTS_CHANNEL, type JobEvent } from '../../db/events.ts';
import { APPEND_LOCK } from '../../db/advisory-locks.ts';
import { connectDatabase } from '../../db/client.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack(); });
after(async () => { await stack?.stop(); });

interface HubStats { notifications: number; reads: number; replayReads: number; streams: number }
const hubStats = async () => (await stack.api<HubStats>('/api/events/stats')).body;

async function insertJob(id: string): Promise<void> {
  await stack.sql`INSERT INTO jobs (id, pipeline, title, stage, status, input_summary) VALUES (${id}, 'generate', ${id}, 'running', 'RUNNING', '{}'::jsonb)`;
}

/** every client has every event of the log it follows (after `after`), each once and in order */
function assertComplete(clients: SseStream<JobEvent>[], expected: number[], what: string): void {
  for (const [i, client] of clients.entries()) assert.deepEqual(client.events.map((e) => e.id), expected, `${what} client ${i}`);
}

test('event fan-out: 50 clients on one job and 50 on every job get each event once and in order, from the notifications without a read of the log but for the events too large for one; a lost notification, a reconnect with Last-Event-ID, or of the API\'s listen, misses nothing', async () => {
  // the log as Atelier's processes open it (drizzle's client hands jsonb parameters to PostgreSQL as they are)
  const database = connectDatabase(stack.databaseUrl, { max: 3 });
  const log = eventLog(database.sql);
  const [job, other] = ['fanout-job', 'fanout-other'];
  await insertJob(job);
  await insertJob(other);
  // history before anyone listens: the job's streams replay it, the all-jobs streams start after it
  for (let i = 0; i < 3; i++) await log.append({ jobId: job, type: 'fanout.history', data: { i } });
  await until('the hub to hear the history', async () => (await hubStats()).notifications >= 3, 10_000, 50);
  const [{ last }] = await stack.sql`SELECT max(id)::int AS last FROM events` as unknown as [{ last: number }];

  const jobUrl = `${stack.apiUrl}/api/jobs/${job}/events`;
  const allUrl = `${stack.apiUrl}/api/events`;
  const jobClients = await Promise.all(Array.from({ length: 50 }, () => openSse<JobEvent>(jobUrl, stack.token)));
  const allClients = await Promise.all(Array.from({ length: 50 }, () => openSse<JobEvent>(allUrl, stack.token)));
  await until('100 streams', async () => (await hubStats()).streams === 100, 10_000, 50);
  await until('the job streams to replay the history', () => jobClients.every((c) => c.events.length === 3), 10_000, 50);
  const counted = await hubStats();

  // three writers at once, two of them on the same job: appends whose ids commit close together
  // every seventh event of a writer too large for a notification (8000 bytes): it is announced, and read
  const write = (jobId: string, count: number, type: string, large = true) => (async () => {
    for (let i = 0; i < count; i++) await log.append({ jobId, type, data: { i, ...(large && i % 7 === 3 ? { note: 'ü'.repeat(5000) } : {}) } });
  })();
  await Promise.all([write(job, 20, 'fanout.a'), write(job, 20, 'fanout.b'), write(other, 20, 'fanout.c')]);
  const jobSeqs = async () => (await stack.sql`SELECT seq FROM events WHERE job_id = ${job} ORDER BY seq`).map((r) => r.seq as number);
  const allIds = async () => (await stack.sql`SELECT id FROM events WHERE id > ${last} ORDER BY id`).map((r) => Number(r.id));
  let expectedJob = await jobSeqs();
  let expectedAll = await allIds();
  assert.equal(expectedJob.length, 43);
  assert.equal(expectedAll.length, 60);
  // one statement appends (db/migrations/0015_append_event.sql), under the lock and on the channel the code names;
  // an event's time is taken under the lock, so times follow ids
  const [{ definition }] = await stack.sql`SELECT pg_get_functiondef('atelier_append_event'::regproc) AS definition` as unknown as [{ definition: string }];
  assert.ok(definition.includes(`pg_advisory_xact_lock(${APPEND_LOCK})`) && definition.includes(`'${EVENTS_CHANNEL}'`), definition);
  const times = (await stack.sql`SELECT time FROM events WHERE id > ${last} ORDER BY id`).map((r) => new Date(r.time as string).getTime());
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!), 'times follow ids');
  await until('every client to have every event', () => jobClients.every((c) => c.events.length >= expectedJob.length) && allClients.every((c) => c.events.length >= expectedAll.length), 20_000, 50);
  assertComplete(jobClients, expectedJob, 'job stream');
  assertComplete(allClients, expectedAll, 'all-jobs stream');
  assert.ok(jobClients.every((c) => c.events.every((e) => e.data.jobId === job && e.data.seq === e.id)), 'a job stream carries its job only, by seq');

  const live = await hubStats();
  assert.equal(live.notifications - counted.notifications, 60, 'one notification per append');
  // 9 of the 60 are too large to carry: each is read once at most, for all 100 streams and both channels
  assert.ok(live.reads - counted.reads >= 1 && live.reads - counted.reads <= 9, `the log read for the large events only (${live.reads - counted.reads} reads for 9 of them)`);
  // an event heard is the event read: every field, the time to the millisecond
  assert.deepEqual(allClients[0]!.events.map((e) => e.data), await log.sinceId(last, 100), 'the all-jobs stream carries the log as it is');
  assert.equal(allClients[0]!.events.filter((e) => (e.data.data as { note?: string }).note?.length === 5000).length, 9, 'the large events, whole');
  assert.equal(live.replayReads, counted.replayReads, 'no stream read the log on its own');

  // notifications lost while the listen stays up: two rows committed without one (as if their notifications had
  // gone with a connection the hub has not yet heard was cut); the next notified event names its predecessor, one
  // the hub never handed out, so the hub reads the log, and every stream gets all three in order
  await stack.sql`INSERT INTO events (job_id, seq, level, type, data) SELECT ${other}, max(seq) + s, 'info', 'fanout.unannounced', '{}'::jsonb FROM events, generate_series(1, 2) AS s WHERE job_id = ${other} GROUP BY s`;
  const announced = await log.append({ jobId: job, type: 'fanout.after-unannounced' });
  expectedJob = await jobSeqs();
  expectedAll = await allIds();
  assert.equal(expectedAll.length, 63);
  await until('every client to have the unannounced events', () => jobClients.every((c) => c.events.length >= expectedJob.length) && allClients.every((c) => c.events.length >= expectedAll.length), 20_000, 50);
  assertComplete(jobClients, expectedJob, 'job stream');
  assertComplete(allClients, expectedAll, 'all-jobs stream');
  const caughtUp = await hubStats();
  assert.equal(caughtUp.notifications - live.notifications, 1, `one notification, for event ${announced!.id}`);
  assert.equal(caughtUp.reads - live.reads, 1, 'one read, for the two events it was not told of');

  // clients drop mid-stream and come back with Last-Event-ID while appends go on
  // (none too large this time: the only reads are the one after the listen is cut)
  const writing = Promise.all([write(job, 30, 'fanout.d', false), write(other, 30, 'fanout.e', false)]);
  await until('some of the new events to arrive', () => allClients[0]!.events.length >= expectedAll.length + 10, 10_000, 5);
  // the API's listen is cut: the notifications of what is appended until it listens again are lost, and read
  const [{ cut }] = await stack.sql`SELECT count(pg_terminate_backend(pid))::int AS cut FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE ${`listen%${EVENTS_CHANNEL}%`}` as unknown as [{ cut: number }];
  assert.equal(cut, 1, 'the API\'s listening connection');
  const dropped = [...jobClients.splice(0, 5).map((c) => ({ client: c, url: jobUrl })), ...allClients.splice(0, 5).map((c) => ({ client: c, url: allUrl }))];
  for (const { client } of dropped) client.close();
  await new Promise((r) => setTimeout(r, 100));
  const rejoined = await Promise.all(dropped.map(async ({ client, url }) => {
    const again = await openSse<JobEvent>(url, stack.token, client.lastId);
    return { url, before: client.events, again };
  }));
  await writing;
  expectedJob = await jobSeqs();
  expectedAll = await allIds();
  const seen = (r: (typeof rejoined)[number]) => [...r.before, ...r.again.events].map((e) => e.id);
  await until('every client, rejoined or not, to have every event', () => jobClients.every((c) => c.events.length >= expectedJob.length) && allClients.every((c) => c.events.length >= expectedAll.length)
    && rejoined.every((r) => seen(r).length >= (r.url === jobUrl ? expectedJob : expectedAll).length), 20_000, 50);
  assertComplete(jobClients, expectedJob, 'job stream');
  assertComplete(allClients, expectedAll, 'all-jobs stream');
  for (const [i, r] of rejoined.entries()) assert.deepEqual(seen(r), r.url === jobUrl ? expectedJob : expectedAll, `rejoined client ${i} (${r.url}) before and after its reconnect`);

  const end = await hubStats();
  assert.ok(end.reads - caughtUp.reads >= 1, 'the log read after the listen came back');
  assert.ok(end.reads - caughtUp.reads <= end.notifications - caughtUp.notifications, 'still at most one live read per notification');
  for (const client of [...jobClients, ...allClients, ...rejoined.map((r) => r.again)]) client.close();
  await database.close();
});

test('paging: 300 jobs, many created within one millisecond, paged with limits 1, 7 and 100: every job once', async () => {
  // 200 jobs a few microseconds apart inside one millisecond, 50 at one and the same microsecond, 50 a millisecond
  // apart; their ids in no order of their times, so both halves of the cursor count
  await stack.sql`
    INSERT INTO jobs (id, pipeline, title, stage, status, input_summary, created_at)
    SELECT 'paging-' || md5(i::text), 'generate', 'paging ' || i, 'done', 'COMPLETED', '{}'::jsonb,
           CASE WHEN i < 200 THEN timestamptz '2026-03-01 12:00:00.123000+00' + i * interval '3 microseconds'
                WHEN i < 250 THEN timestamptz '2026-03-01 12:00:00.123700+00'
                ELSE timestamptz '2026-03-01 12:00:00.124000+00' + (i - 250) * interval '1 millisecond' END
    FROM generate_series(0, 299) AS i`;
  const everyJob = (await stack.sql`SELECT id FROM jobs`).map((r) => r.id as string).sort();
  assert.ok(everyJob.length >= 300);

  for (const limit of [1, 7, 100]) {
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: { jobs: { id: string }[]; nextCursor: string | null } } = await stack.api(`/api/jobs?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(status, 200, JSON.stringify(body));
      paged.push(...body.jobs.map((j) => j.id));
      cursor = body.nextCursor;
    } while (cursor);
    assert.equal(paged.length, new Set(paged).size, `limit=${limit}: no job twice`);
    assert.deepEqual([...paged].sort(), everyJob, `limit=${limit}: every job`);
  }

  const forged = Buffer.from('2026-02-30T12:00:00.123Z|paging-x').toString('base64url');
  const refused = await stack.api(`/api/jobs?cursor=${forged}`);
  assert.equal(refused.status, 400);
  assert.match(JSON.stringify(refused.body), /cursor is not one this API gave out/);
});

// Leased LLM slots against the real PostgreSQL: never more holders than slots, however many ask at once; a lease
// that runs out is taken over; a holder asking again keeps its slot; a paused job takes none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/stack.ts';
import { connectDatabase, migrate, type Database } from '../../db/client.ts';
import { slotLeases, type SlotLeases } from '../../db/llm-slots.ts';

let drop: () => Promise<void>;
let database: Database;
let leases: SlotLeases;

before(async () => {
  const created = await createTestDatabase();
  drop = created.drop;
  database = connectDatabase(created.url);
  await migrate(database.sql);
  leases = slotLeases(database.sql);
});
after(async () => {
  await database?.close();
  await drop?.();
});

test('20 holders racing for 3 slots: at most 3 hold one at any time, and every holder gets its turn', async () => {
  let holding = 0;
  let most = 0;
  const served: string[] = [];
  await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const holder = `job-a/chapter-${i}`;
    while ((await leases.tryAcquire('chapters:job-a', 3, holder, 30_000)) === undefined) await new Promise((r) => setTimeout(r, 2));
    holding += 1;
    most = Math.max(most, holding);
    await new Promise((r) => setTimeout(r, 15));
    holding -= 1;
    served.push(holder);
    await leases.release('chapters:job-a', holder);
  }));
  assert.equal(most, 3);
  assert.equal(new Set(served).size, 20);
  assert.equal((await database.sql`SELECT count(*)::int AS n FROM llm_slots`)[0]!.n, 0, 'every slot given back');
});

test('asking again keeps the same slot; a lease that ran out is taken over; scopes do not share slots', async () => {
  const first = await leases.tryAcquire('chapters:job-b', 1, 'job-b/one', 200);
  assert.equal(first, 0);
  assert.equal(await leases.tryAcquire('chapters:job-b', 1, 'job-b/one', 200), 0, 'a retried attempt keeps its slot');
  assert.equal(await leases.tryAcquire('chapters:job-b', 1, 'job-b/two', 200), undefined, 'the only slot is held');
  assert.equal(await leases.tryAcquire('chapters:job-c', 1, 'job-c/one', 200), 0, 'another job has slots of its own');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await leases.tryAcquire('chapters:job-b', 1, 'job-b/two', 200), 0, 'the holder that stopped renewing lost its slot');
  await leases.renew('chapters:job-b', 'job-b/two', 60_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await leases.tryAcquire('chapters:job-b', 1, 'job-b/three', 200), undefined, 'a renewed lease holds');
});

test('a paused job takes no slot until it runs again', async () => {
  await database.sql`INSERT INTO jobs (id, pipeline, title, stage, status, input_summary) VALUES ('job-d', 'campaign', 'd', 'chapters', 'PAUSED', '{}')`;
  assert.equal(await leases.tryAcquire('chapters:job-d', 2, 'job-d/one', 30_000, 'job-d'), undefined);
  await database.sql`UPDATE jobs SET status = 'RUNNING' WHERE id = 'job-d'`;
  assert.equal(await leases.tryAcquire('chapters:job-d', 2, 'job-d/one', 30_000, 'job-d'), 0);
});

// GPU pools for operators: the shared artifact store's marker (a GPU worker whose DATA_DIR is not the shared store
// refuses to start), a pool drained and resumed (the running image finishes, nothing new starts, the pause survives a
// GPU worker's restart), and the pools view (hosts, prompts at their ComfyUI, images per minute, one log per host).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { createTestDatabase, startTestStack, until, type TestStack } from '../support/stack.ts';
import { migrate } from '../../db/client.ts';
import { assertEachImageOnce, capacityReadings, jobEvents, promptIdsOf, standinLog, startGenerate, waitForEvent, waitForStatus } from '../support/jobs.ts';
import { atelierCli } from '../support/cli.ts';
import { TSX_ARGS } from '../../infra/local/processes.ts';
import { PROJECT_ROOT } from '../../infra/local/temporal-cli.ts';
import { checkStoreMarker, STORE_MARKER_FILE } from '../../core/store-marker.ts';

let stack: TestStack;
// 25 sampler steps of 80 ms: an image takes about 2 s, long enough to pause the pool while one runs
const JOB = { prompt: 'a lighthouse, drained and resumed', width: 256, height: 256, steps: 25 };
before(async () => { stack = await startTestStack({ comfyStepMs: 80 }); });
after(async () => { await stack?.stop(); });
// a test that fails while the pool is paused leaves it running for the next
afterEach(async () => { await stack?.api('/api/pools/demo/resume', { method: 'POST' }).catch(() => {}); });

const comfyQueue = async () => {
  const body = await (await fetch(`${stack.pools.demo}/queue`)).json() as { queue_running: unknown[]; queue_pending: unknown[] };
  return { running: body.queue_running.length, pending: body.queue_pending.length };
};
const assetCount = async (id: string) => Number((await stack.sql`SELECT count(*)::int AS n FROM assets WHERE job_id = ${id}`)[0]!.n);

function runGpuWorker(env: Record<string, string>, host: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX_ARGS, path.join(PROJECT_ROOT, 'workers/gpu.ts'), '--pool', 'demo', '--host', host],
      { env: { ...stack.childEnv, ATELIER_LOG_FILES: 'false', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }));
  });
}

test('the store marker: written once into DATA_DIR and the database; a GPU worker on another DATA_DIR refuses to start and says what to mount', async () => {
  const marker = JSON.parse(fs.readFileSync(path.join(stack.dataDir, STORE_MARKER_FILE), 'utf8')).id as string;
  const [row] = await stack.sql`SELECT value FROM settings WHERE key = 'store.marker'`;
  assert.equal(row?.value, marker, 'the database holds the id written into DATA_DIR');

  // nothing mounted (an empty folder), and another install's store: two GPU hosts started at once
  const [empty, another] = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-not-shared-'))) as [string, string];
  try {
    fs.writeFileSync(path.join(another, STORE_MARKER_FILE), JSON.stringify({ id: 'store-of-another-install' }));
    const [refused, other] = await Promise.all([runGpuWorker({ DATA_DIR: empty }, 'stray-host'), runGpuWorker({ DATA_DIR: another }, 'stray-host-2')]);
    assert.equal(refused.code, 2, refused.output.slice(-2000));
    assert.match(refused.output, /is not the shared artifact store/);
    assert.match(refused.output, /mount the shared artifact store .* at DATA_DIR/);
    assert.ok(!fs.existsSync(path.join(empty, 'jobs')) && !fs.existsSync(path.join(empty, STORE_MARKER_FILE)), 'nothing written into the wrong store');
    assert.equal(other.code, 2, other.output.slice(-2000));
    assert.match(other.output, /is another artifact store \(marker store-of-another-install\)/);
    const hosts = await stack.sql`SELECT host FROM gpu_hosts WHERE host LIKE 'stray-host%'`;
    assert.equal(hosts.length, 0, 'a refused worker never joined the pool');
  } finally {
    for (const dir of [empty, another]) fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the store marker on a first start, on an install from before markers, and with processes starting together', async () => {
  const database = await createTestDatabase();
  const sql = postgres(database.url, { max: 4, onnotice: () => {} });
  const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-marker-')));
  try {
    await migrate(sql);
    const [first, upgraded, gpuOnly] = dirs as [string, string, string];
    // a GPU worker does not mark: it waits for the API or the main worker
    assert.deepEqual(await checkStoreMarker(sql, gpuOnly, { claim: false }), { status: 'unmarked' });
    // an existing install (images in DATA_DIR, no marker anywhere): the first claiming process marks both
    fs.mkdirSync(path.join(upgraded, 'jobs', 'old-job'), { recursive: true });
    const claims = await Promise.all([checkStoreMarker(sql, upgraded, { claim: true }), checkStoreMarker(sql, upgraded, { claim: true })]);
    const id = JSON.parse(fs.readFileSync(path.join(upgraded, STORE_MARKER_FILE), 'utf8')).id;
    assert.deepEqual(claims.map((c) => c.status === 'ok' && c.id), [id, id], 'two processes starting together agree on one marker');
    assert.deepEqual(claims.map((c) => c.status === 'ok' && c.created).sort(), [undefined, 'both'].sort(), 'written once');
    assert.ok(fs.existsSync(path.join(upgraded, 'jobs', 'old-job')), 'existing data kept');
    await assert.rejects(checkStoreMarker(sql, first, { claim: true }), /is not the shared artifact store/, 'once marked, an empty DATA_DIR is refused even to a claiming process');
    assert.deepEqual(await checkStoreMarker(sql, upgraded, { claim: false }), { status: 'ok', id });

    // a database from before markers whose DATA_DIR was marked (by another database): the id is taken from DATA_DIR
    await sql`DELETE FROM settings WHERE key = 'store.marker'`;
    const adopted = await checkStoreMarker(sql, upgraded, { claim: true });
    assert.deepEqual(adopted, { status: 'ok', id, created: 'database' });
  } finally {
    await sql.end({ timeout: 2 });
    await database.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pool drain: pause while 6 images run, the running one finishes, nothing new starts for 10 s, resume, the job completes', { timeout: 180_000 }, async () => {
  const id = await startGenerate(stack, { ...JOB, count: 6 });
  await waitForEvent(stack, id, 'progress');
  const paused = await stack.api('/api/pools/demo/pause', { method: 'POST', json: { reason: 'driver update', by: 'ops test' } });
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.equal(paused.body.paused.pausedBy, 'ops test');

  // the prompts waiting behind the running one leave ComfyUI's queue; the running one finishes
  await until('ComfyUI to run nothing', async () => { const q = await comfyQueue(); return q.running === 0 && q.pending === 0; }, 20_000, 100);
  await waitForEvent(stack, id, 'comfy.held');
  // every prompt ComfyUI ran gave its image (stored a moment after ComfyUI finished it)
  const ran = async () => { const prompts = new Set(await promptIdsOf(stack, id)); return standinLog(stack).filter((l) => l.event === 'executed' && l.outcome === 'success' && prompts.has(l.prompt_id!)).length; };
  const done = await until('the images ComfyUI made to be stored', async () => { const [n, r] = [await assetCount(id), await ran()]; return n === r && n; }, 20_000);
  assert.ok(done >= 1 && done < 6, `the image running at the pause finished, the rest wait (${done} of 6 done)`);
  const queuedBefore = (await jobEvents(stack, id)).filter((e) => e.type === 'comfy.queued').length;
  const watched = Date.now();
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const q = await comfyQueue();
    assert.deepEqual(q, { running: 0, pending: 0 }, 'nothing starts at ComfyUI while the pool is paused');
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(await assetCount(id), done, 'no image made while paused');
  assert.equal((await jobEvents(stack, id)).filter((e) => e.type === 'comfy.queued').length, queuedBefore, 'no prompt queued while paused');
  // images wait their turn and none ends: the job re-reads its pool's capacity less and less often (2, 4, 8 s…), so
  // a long wait does not fill its history (at one reading every 2 s this would be 5)
  const readings = (await capacityReadings(stack, id)).filter((at) => at.getTime() >= watched);
  assert.ok(readings.length >= 1 && readings.length <= 3, `${readings.length} readings of the pool's capacity in the 10 s paused`);

  // the job says why it waits: its state, its record, the CLI, Temporal Web (status line and pending activity)
  const detail = await stack.api(`/api/jobs/${id}`);
  assert.equal(detail.body.state.stage, 'waiting-for-pool');
  assert.equal(detail.body.state.poolWait.pool, 'demo');
  const [record] = await stack.sql`SELECT stage FROM jobs WHERE id = ${id}`;
  assert.equal(record!.stage, 'waiting-for-pool');
  const cli = await atelierCli(stack, ['job', id]);
  assert.match(cli.stdout, /waiting: GPU pool demo paused by ops test since .* \(driver update\)/);
  const pools = await atelierCli(stack, ['pools']);
  assert.match(pools.stdout, /pool demo {2}PAUSED by ops test/);
  assert.match(pools.stdout, /draining since/);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const handle = new Client({ connection }).workflow.getHandle(id);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /^waiting: GPU pool demo paused by ops test/);
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const details = pending.map((a) => Buffer.from(a.heartbeatDetails?.payloads?.[0]?.data ?? []).toString('utf8'));
    assert.ok(details.some((d) => d.includes('paused by ops test')), `a pending activity's heartbeat says why it waits: ${details.join(' | ')}`);
  } finally {
    await connection.close();
  }

  const resumed = await stack.api('/api/pools/demo/resume', { method: 'POST' });
  assert.equal(resumed.body.paused, null);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
  assert.equal(job.status, 'COMPLETED', job.error);
  await assertEachImageOnce(stack, id, 6);
  const types = (await jobEvents(stack, id)).map((e) => e.type);
  assert.ok(types.includes('pool.paused') && types.includes('pool.resumed'), types.join(' → '));
  assert.notEqual((await stack.api(`/api/jobs/${id}`)).body.state.stage, 'waiting-for-pool');
});

test('a pause survives a restart of the GPU worker: it still starts nothing until resumed', { timeout: 180_000 }, async () => {
  await stack.api('/api/pools/demo/pause', { method: 'POST', json: {} });
  const id = await startGenerate(stack, { ...JOB, count: 2 });
  await waitForEvent(stack, id, 'pool.paused');
  const pid = stack.supervisor.kill('worker-gpu-demo', 'SIGKILL');
  assert.ok(pid);
  await stack.supervisor.waitForRestart('worker-gpu-demo', pid);
  await until('the restarted worker to register', async () => (await stack.sql`SELECT 1 FROM gpu_hosts WHERE pool = 'demo' AND pid <> ${pid} AND stopped_at IS NULL`).length > 0, 60_000);
  // the retried activity (heartbeat timeout 10 s) reaches the restarted worker and waits at the gate again
  await until('the retried activity to wait on the restarted worker', async () => {
    const detail = await stack.api(`/api/jobs/${id}`);
    return detail.body.state?.stage === 'waiting-for-pool';
  }, 30_000);
  for (const deadline = Date.now() + 6_000; Date.now() < deadline;) {
    assert.deepEqual(await comfyQueue(), { running: 0, pending: 0 }, 'the restarted worker starts nothing while the pool is paused');
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await jobEvents(stack, id)).filter((e) => e.type === 'comfy.queued').length, 0);
  await stack.api('/api/pools/demo/resume', { method: 'POST' });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
  assert.equal(job.status, 'COMPLETED', job.error);
  await assertEachImageOnce(stack, id, 2);
  // both images were in the window from the start: nothing waited its turn, so the capacity was read once, at the start
  assert.equal((await capacityReadings(stack, id)).length, 1, 'one reading of the pool\'s capacity');
});

test('the pools view: each host with its state, prompts at its ComfyUI and images per minute; one log file per host, host on every line', async () => {
  const { status, body } = await stack.api('/api/pools');
  assert.equal(status, 200);
  const [pool] = body.pools;
  assert.equal(pool.name, 'demo');
  assert.equal(pool.paused, null);
  const live = pool.hosts.filter((h: any) => h.state === 'live');
  assert.equal(live.length, 1, JSON.stringify(pool.hosts));
  assert.deepEqual(live[0].prompts, { running: 0, waiting: 0 });
  assert.equal(live[0].comfyUrl, stack.pools.demo);
  assert.equal(live[0].imagesPerMinute, 0.8, '8 images over the last 10 minutes');
  const health = await stack.api('/api/health');
  assert.equal(health.body.pools[0].hosts[0].host, live[0].host);

  const logDir = path.join(stack.dataDir, 'logs', 'worker-gpu-demo');
  assert.deepEqual(fs.readdirSync(logDir), [`${live[0].host}.log`]);
  const lines = fs.readFileSync(path.join(logDir, `${live[0].host}.log`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(lines.length > 10 && lines.every((l) => l.host === live[0].host && l.service === 'worker-gpu-demo'));

  const unknown = await stack.api('/api/pools/nope/pause', { method: 'POST', json: {} });
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error, /no GPU pool "nope": the pools are demo/);
  const bad = await stack.api('/api/pools/demo/pause', { method: 'POST', json: { reason: 5 } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /reason/);
  const cli = await atelierCli(stack, ['pool', 'drain', 'demo']);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /pool needs pause or resume/);
});

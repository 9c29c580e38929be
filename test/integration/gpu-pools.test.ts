// One GPU pool of three hosts (three GPU workers, three ComfyUI stand-ins): a job's window fills every host and
// follows hosts that come and go; a host lost mid-job costs no image twice when its ComfyUI lives on, and only the
// images it had not delivered (said in the job's events) when its ComfyUI died with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { startGenerate, waitForStatus, jobEvents } from '../support/jobs.ts';
import { createCharacter, eventsOf, portrait } from '../support/lora.ts';
import type { DemoGpuHost } from '../../infra/local/stack.ts';

let stack: TestStack;
let hosts: DemoGpuHost[];
// about 0.3 s per image; hosts beat every 300 ms and count as lost after 1.2 s
before(async () => {
  stack = await startTestStack({ gpuHosts: 3, comfyStepMs: 30, env: { ATELIER_HOST_BEAT_MS: '300', ATELIER_HOST_LOST_MS: '1200' } });
  hosts = stack.gpuHosts;
});
after(async () => { await stack?.stop(); });

const job = (count: number, prompt: string) => ({ prompt, width: 128, height: 128, steps: 10, count });

interface StandinStats { queued_ids: string[]; started: string[]; executed: Record<string, { runs: number }> }
const stats = async (host: DemoGpuHost): Promise<StandinStats> => (await fetch(`${host.comfyUrl}/__standin/stats`)).json() as Promise<StandinStats>;

async function dispatches(id: string) {
  return stack.sql`SELECT prompt_id, step, host, ended_at, collected_by FROM prompt_dispatches WHERE job_id = ${id}`;
}

async function inFlight(id: string): Promise<number> {
  const { body } = await stack.api(`/api/jobs/${id}`);
  return (body.state?.steps ?? []).filter((s: { status: string }) => s.status === 'running').length;
}

async function liveHosts(): Promise<string[]> {
  const rows = await stack.sql`SELECT host FROM gpu_hosts WHERE pool = 'demo' AND stopped_at IS NULL AND last_seen > now() - interval '1.2 seconds' ORDER BY host`;
  return rows.map((r) => r.host as string);
}

/** how many times the stand-ins began to execute each prompt (a prompt a stand-in ran twice counts twice) */
async function executions(promptIds: string[], among: DemoGpuHost[]): Promise<Record<string, number>> {
  const all = await Promise.all(among.map(stats));
  return Object.fromEntries(promptIds.map((p) => [p, all.reduce((sum, s) => sum + s.started.filter((x) => x === p).length, 0)]));
}

test('one job of 30 images puts prompts on all three hosts; a small job started later finishes first', async () => {
  await until('three live hosts', async () => (await liveHosts()).length === 3 || undefined);
  const big = await startGenerate(stack, job(30, 'a big batch across the pool'));
  await until('the big job running on the pool', async () => (await dispatches(big)).length >= 6 || undefined, 30_000, 50);
  const small = await startGenerate(stack, job(2, 'a small job behind a big one'));
  const [smallDone, bigDone] = await Promise.all([waitForStatus(stack, small, ['COMPLETED', 'FAILED']), waitForStatus(stack, big, ['COMPLETED', 'FAILED'])]);
  assert.equal(bigDone.status, 'COMPLETED', bigDone.error);
  assert.equal(smallDone.status, 'COMPLETED', smallDone.error);
  assert.ok(new Date(smallDone.finished_at) < new Date(bigDone.finished_at), 'the small job did not wait for the big one');

  const bigPrompts = new Set((await dispatches(big)).map((d) => d.prompt_id as string));
  assert.equal(bigPrompts.size, 30);
  for (const host of hosts) {
    const seen = (await stats(host)).queued_ids.filter((p) => bigPrompts.has(p)).length;
    assert.ok(seen >= 8, `${host.host}'s ComfyUI saw ${seen} of the big job's prompts (at least 8 expected)`);
  }
});

test('a job may ask for up to 500 images, and is told so when it asks for more', async () => {
  const refused = await stack.api('/api/generate', { method: 'POST', json: job(501, 'too many') });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error, /count must be at most 500/);
});

test('the window shrinks when a host is stopped and grows when it returns', async () => {
  const id = await startGenerate(stack, job(200, 'a long batch while hosts come and go'));
  await until('9 prompts in flight (3 hosts × 3 slots)', async () => (await inFlight(id)) === 9 || undefined, 30_000, 100);
  const h3 = hosts[2]!;
  await stack.supervisor.stop(h3.worker, 5000);
  await until('the window down to the 6 live slots', async () => {
    const n = await inFlight(id);
    return n <= 6 && n > 0 ? n : undefined;
  }, 20_000, 100);
  // stays there while the host is away
  await new Promise((r) => setTimeout(r, 2500));
  assert.ok((await inFlight(id)) <= 6, 'the window stayed at the live slots');
  await stack.supervisor.relaunch(h3.worker);
  await until('9 in flight again', async () => (await inFlight(id)) === 9 || undefined, 60_000, 100);
  await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  await waitForStatus(stack, id, ['CANCELLED', 'FAILED', 'COMPLETED']);
});

/** a job with each host's three slots taken by prompts of a second each (one running, two waiting at its ComfyUI) */
async function busyJob(prompt: string, host: DemoGpuHost) {
  await until('three live hosts', async () => (await liveHosts()).length === 3 || undefined, 60_000);
  await Promise.all(hosts.map((h) => fetch(`${h.comfyUrl}/__standin/timing`, { method: 'POST', body: JSON.stringify({ stepMs: 100 }) })));
  const id = await startGenerate(stack, job(15, prompt));
  // at its ComfyUI, not only recorded: a worker records a prompt just before it sends it, and one killed in between
  // leaves a prompt its ComfyUI never saw (sent again from another host, as it should be)
  const open = await until(`three prompts of the job at ${host.host}'s ComfyUI, one of them running`, async () => {
    const mine = (await dispatches(id)).filter((d) => d.host === host.host && !d.ended_at);
    const { queued_ids: queued, started } = await stats(host);
    return mine.length === 3 && mine.every((d) => queued.includes(d.prompt_id)) && mine.some((d) => started.includes(d.prompt_id)) ? mine : undefined;
  }, 30_000, 50);
  return { id, open };
}

test('a GPU worker killed alone: its prompts, running and waiting at its ComfyUI, are executed once and collected from there', async () => {
  const h1 = hosts[0]!;
  const { id, open } = await busyJob('a worker dies, its ComfyUI lives on', h1);
  stack.supervisor.kill(h1.worker, 'SIGKILL', { stayDown: true });
  // back whatever this test finds: the tests after it need all three hosts
  try {
    const done = await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
    assert.equal(done.status, 'COMPLETED', done.error);

    const all = await dispatches(id);
    const runs = await executions(all.map((d) => d.prompt_id), hosts);
    for (const [prompt, n] of Object.entries(runs)) assert.equal(n, 1, `prompt ${prompt} was executed ${n} times at the stand-ins`);
    for (const orphan of open) {
      const record = all.find((d) => d.prompt_id === orphan.prompt_id)!;
      assert.equal(record.host, 'h1', `${orphan.step} stayed where it was sent`);
      assert.ok(record.collected_by && record.collected_by !== 'h1', `${orphan.step} was collected by another host (${record.collected_by}) from h1's ComfyUI`);
    }
    const resumed = (await jobEvents(stack, id)).filter((e) => e.type === 'comfy.resumed' && e.data.at === 'h1').map((e) => e.data.step);
    assert.deepEqual(new Set(resumed), new Set(open.map((d) => d.step)));
    const assets = await stack.sql`SELECT relative_path FROM assets WHERE job_id = ${id}`;
    assert.equal(assets.length, 15);
  } finally {
    await stack.supervisor.relaunch(h1.worker);
  }
});

test('sampling pinned to a host that is stopped fails over to another host at once, and the events say why', async () => {
  await Promise.all(hosts.map((h) => fetch(`${h.comfyUrl}/__standin/timing`, { method: 'POST', body: JSON.stringify({ stepMs: 30 }) })));
  await until('three live hosts', async () => (await liveHosts()).length === 3 || undefined, 60_000);
  const { character } = await createCharacter(stack, 'Pia', [{ name: 'pia.png', bytes: await portrait(3) }]);
  // a LoRA as training leaves one: its file in the artifact store, its record naming the host that trained it
  const name = 'pia-pooltest';
  const relativePath = `loras/${name}.safetensors`;
  const bytes = crypto.randomBytes(4096);
  fs.mkdirSync(path.join(stack.dataDir, 'loras'), { recursive: true });
  fs.writeFileSync(path.join(stack.dataDir, relativePath), bytes);
  await stack.sql`INSERT INTO loras (id, name, character_id, character_name, trigger_word, job_id, relative_path, bytes, sha256, steps, base_model, arch, pool, host, settings)
    VALUES ('lr_pooltest', ${name}, ${character.id}, 'Pia', ${character.triggerWord}, 'lora-pooltest', ${relativePath}, ${bytes.length}, ${crypto.createHash('sha256').update(bytes).digest('hex')}, 10, 'sdxl', 'sdxl', 'demo', 'h1', '{}')`;

  const started = await stack.api(`/api/characters/${character.id}/synthesize`, { method: 'POST', json: { count: 4 } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const id = started.body.id as string;
  const installed = await until('the LoRA installed on a host', async () => (await eventsOf(stack, id, 'lora.installed'))[0], 60_000, 50);
  const first = String(installed.data.host);
  await until('a first image', async () => (await eventsOf(stack, id, 'asset.created'))[0], 60_000, 50);
  const stoppedAt = Date.now();
  const worker = hosts.find((h) => h.host === first)!.worker;
  await stack.supervisor.stop(worker, 5000);
  try {
    const failover = await until('the failover', async () => (await eventsOf(stack, id, 'lora.failover'))[0], 30_000, 100);
    assert.ok(Date.now() - stoppedAt < 15_000, 'pinned work did not wait for its schedule-to-start timeout');
    assert.match(String(failover.data.reason), new RegExp(`^host ${first} is (stopped|lost) .*moving to another host of pool demo`));
    const job = await until('every image made and staged', async () => {
      const r = await stack.api(`/api/jobs/${id}`);
      return r.body.state?.awaitingReview?.some((w: { stepId: string }) => w.stepId === 'staging') ? r.body : undefined;
    }, 60_000);
    assert.equal(job.state.steps.filter((s: { status: string }) => s.status === 'done').length, 4);
    const hostsUsed = new Set((await eventsOf(stack, id, 'lora.installed')).map((e) => e.data.host));
    assert.ok(hostsUsed.size >= 2 && hostsUsed.has(first), `installed on ${[...hostsUsed].join(', ')}`);
    await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  } finally {
    await stack.supervisor.relaunch(worker);
  }
});

test('a GPU worker and its ComfyUI killed: the job completes, each image file once, the events say which images were rendered again', async () => {
  const h2 = hosts[1]!;
  const { id, open } = await busyJob('a whole host dies', h2);
  stack.supervisor.kill(h2.worker, 'SIGKILL', { stayDown: true });
  stack.supervisor.kill(h2.standin, 'SIGKILL', { stayDown: true });
  const done = await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
  assert.equal(done.status, 'COMPLETED', done.error);

  const assets = await stack.sql`SELECT relative_path FROM assets WHERE job_id = ${id}`;
  assert.equal(assets.length, 15);
  assert.equal(new Set(assets.map((a) => a.relative_path)).size, 15);
  const files = fs.readdirSync(path.join(stack.dataDir, 'jobs', id, 'generations'));
  assert.deepEqual(files.sort(), Array.from({ length: 15 }, (_, i) => `image-${i + 1}-1.png`).sort(), 'one file per image');

  const again = (await jobEvents(stack, id)).filter((e) => e.type === 'comfy.rendered-again');
  assert.deepEqual(new Set(again.map((e) => e.data.step)), new Set(open.map((d) => d.step)), 'the events name each image rendered again');
  for (const event of again) assert.match(String(event.data.message), /^host h2 lost; image \d+ rendered again on h[13]$/);
  const survivors = await executions(open.map((d) => d.prompt_id), [hosts[0]!, hosts[2]!]);
  for (const [prompt, n] of Object.entries(survivors)) assert.equal(n, 1, `lost prompt ${prompt} ran once on the hosts left`);
});

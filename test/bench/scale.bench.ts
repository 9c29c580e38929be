// npm run bench:scale — does a GPU pool scale with its hosts? One pool of k = 1, 2, 3 hosts (a GPU worker and a
// ComfyUI stand-in at about 1 s per image each; the hosts not in the round are stopped): a single job of 48 images,
// then 24 jobs × 2 images at once. Prints images/s, the ratio to k × one host, each host's busy share. Then two
// host-loss rounds at k = 3: a GPU worker killed alone (its ComfyUI lives on), and a worker killed with its ComfyUI:
// images lost, image files duplicated, executions per image at the stand-ins, seconds until the lost prompts ran
// (or were collected) elsewhere. Figures are printed, not asserted.
import fs from 'node:fs';
import path from 'node:path';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import type { DemoGpuHost } from '../../infra/local/stack.ts';

const STEPS = 10;
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 100); // 10 × 100 ms ≈ 1 s of "GPU" per image
const SINGLE = 48;
const BATCH_JOBS = 24;
const BATCH_COUNT = 2;
// small images: the stand-ins draw on this machine's CPU, which a real GPU would not take from the orchestrator
const body = (prompt: string, count: number) => ({ prompt, width: 96, height: 96, steps: STEPS, count });

const stack: TestStack = await startTestStack({ gpuHosts: 3, comfyStepMs: STEP_MS, env: { LOG_LEVEL: 'info' } });
const hosts = stack.gpuHosts;

interface StandinLine { ts: number; event: string; prompt_id?: string }
const standinLines = (host: DemoGpuHost): StandinLine[] => {
  const file = path.join(host.comfyDataDir, 'standin-events.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};

async function start(prompt: string, count: number): Promise<string> {
  const started = await stack.api('/api/generate', { method: 'POST', json: body(prompt, count) });
  if (started.status !== 202) throw new Error(`generate refused: ${JSON.stringify(started.body)}`);
  return started.body.id;
}

async function finished(ids: string[], timeoutMs = 900_000) {
  await until(`${ids.length} job(s)`, async () => {
    const [row] = await stack.sql`SELECT count(*)::int AS done FROM jobs WHERE id = ANY(${ids}) AND status IN ('COMPLETED', 'FAILED', 'CANCELLED')`;
    return row!.done === ids.length;
  }, timeoutMs, 50);
}

async function liveHosts(): Promise<string[]> {
  const rows = await stack.sql`SELECT host FROM gpu_hosts WHERE pool = 'demo' AND stopped_at IS NULL AND last_seen > now() - interval '8 seconds' ORDER BY host`;
  return rows.map((r) => r.host as string);
}

/** only the first k hosts' GPU workers run */
async function poolOf(k: number) {
  await Promise.all(hosts.map((h, i) => (i < k ? stack.supervisor.relaunch(h.worker) : stack.supervisor.stop(h.worker, 5000))));
  await until(`${k} live host(s)`, async () => (await liveHosts()).length === k, 90_000, 200);
}

/** each host's share of the round's wall time its stand-in spent executing prompts */
function busyShares(from: number, to: number, among: DemoGpuHost[]): string {
  return among.map((h) => {
    let busy = 0;
    let startedAt: number | undefined;
    for (const line of standinLines(h)) {
      if (line.event === 'started') startedAt = line.ts;
      if (line.event === 'executed' && startedAt !== undefined) {
        busy += Math.max(0, Math.min(line.ts, to) - Math.max(startedAt, from));
        startedAt = undefined;
      }
    }
    return `${h.host} ${((busy / (to - from)) * 100).toFixed(0)} %`;
  }).join(', ');
}

async function round(k: number, kind: 'single' | 'batch') {
  const from = Date.now();
  const ids = kind === 'single'
    ? [await start(`scale k=${k}: one job of ${SINGLE}`, SINGLE)]
    : await Promise.all(Array.from({ length: BATCH_JOBS }, (_, i) => start(`scale k=${k}: batch job ${i + 1}`, BATCH_COUNT)));
  await finished(ids);
  const to = Date.now();
  const [images] = await stack.sql`SELECT count(*)::int AS n FROM assets WHERE job_id = ANY(${ids})`;
  const [failed] = await stack.sql`SELECT count(*)::int AS n FROM jobs WHERE id = ANY(${ids}) AND status <> 'COMPLETED'`;
  return { rate: images!.n / ((to - from) / 1000), seconds: (to - from) / 1000, images: images!.n, failed: failed!.n, busy: busyShares(from, to, hosts.slice(0, k)) };
}

/** a job on all three hosts; once `victim` has a prompt running and two waiting, `kill` takes it down */
async function hostLoss(label: string, victim: DemoGpuHost, kill: () => void) {
  await poolOf(3);
  const id = await start(`host loss: ${label}`, SINGLE);
  const open = await until(`three prompts at ${victim.host}, one running`, async () => {
    const rows = await stack.sql`SELECT prompt_id, step FROM prompt_dispatches WHERE job_id = ${id} AND host = ${victim.host} AND ended_at IS NULL`;
    const started = new Set(standinLines(victim).filter((l) => l.event === 'started').map((l) => l.prompt_id));
    return rows.length === 3 && rows.some((r) => started.has(r.prompt_id)) ? rows : undefined;
  }, 120_000, 50);
  const killedAt = Date.now();
  kill();
  await finished([id]);
  const [job] = await stack.sql`SELECT status FROM jobs WHERE id = ${id}`;
  const [images] = await stack.sql`SELECT count(*)::int AS n FROM assets WHERE job_id = ${id}`;
  const files = fs.readdirSync(path.join(stack.dataDir, 'jobs', id, 'generations'));
  const prompts = (await stack.sql`SELECT prompt_id FROM prompt_dispatches WHERE job_id = ${id}`).map((r) => r.prompt_id as string);
  const mine = new Set(prompts);
  const executions = hosts.flatMap(standinLines).filter((l) => l.event === 'started' && mine.has(l.prompt_id!)).length;
  // when each lost prompt was picked up by another host: collected there (resumed) or sent again (queued)
  const lostIds = open.map((r) => r.prompt_id as string);
  const pickedUp = await stack.sql`
    SELECT data->>'promptId' AS prompt, min(time) AS at FROM events
    WHERE job_id = ${id} AND type IN ('comfy.resumed', 'comfy.queued') AND data->>'promptId' = ANY(${lostIds}) AND time > to_timestamp(${killedAt / 1000})
    GROUP BY 1`;
  const delays = pickedUp.map((r) => (new Date(r.at).getTime() - killedAt) / 1000);
  const again = await stack.sql`SELECT count(*)::int AS n FROM events WHERE job_id = ${id} AND type = 'comfy.rendered-again'`;
  // while the lost prompts wait for their heartbeat timeout, the other hosts should stay busy
  const waited = delays.length ? Math.min(...delays) * 1000 : 10_000;
  const othersBusy = busyShares(killedAt, killedAt + waited, hosts.filter((h) => h !== victim));
  console.log(`  ${label}: job ${job!.status}, ${SINGLE - images!.n} image(s) lost, ${Math.max(0, files.length - SINGLE)} image file(s) duplicated, `
    + `executions per image ${(executions / SINGLE).toFixed(2)}, ${again[0]!.n} rendered again; the ${lostIds.length} prompts at ${victim.host} picked up elsewhere after `
    + `${delays.length ? `${Math.min(...delays).toFixed(1)}–${Math.max(...delays).toFixed(1)} s` : 'never'} (${delays.length}/${lostIds.length}); busy meanwhile: ${othersBusy}`);
}

try {
  // warm the workflow bundle, sharp and the connections on every host
  await poolOf(3);
  await finished([await start('warm-up', 6)]);

  const results: Record<number, { single: Awaited<ReturnType<typeof round>>; batch: Awaited<ReturnType<typeof round>> }> = {};
  // BENCH_SCALE_ONLY=host-loss: the host-loss rounds alone
  for (const k of process.env.BENCH_SCALE_ONLY === 'host-loss' ? [] : [1, 2, 3]) {
    await poolOf(k);
    results[k] = { single: await round(k, 'single'), batch: await round(k, 'batch') };
  }
  console.log(`\nbench:scale — one GPU pool of k hosts, ComfyUI stand-ins at ${STEPS} × ${STEP_MS} ms per image`);
  for (const kind of results[1] ? ['single', 'batch'] as const : []) {
    console.log(kind === 'single' ? `  a single job of ${SINGLE} images` : `  ${BATCH_JOBS} jobs × ${BATCH_COUNT} images at once`);
    const one = results[1]![kind].rate;
    for (const k of [1, 2, 3]) {
      const r = results[k]![kind];
      const ratio = r.rate / (k * one);
      console.log(`    k=${k}: ${r.rate.toFixed(3)} images/s (${r.images} images in ${r.seconds.toFixed(1)} s${r.failed ? `, ${r.failed} jobs not completed` : ''}), ratio to ${k} × one host ${ratio.toFixed(2)}${k === 3 ? `  target ≥ 0.9 ${ratio >= 0.9 ? 'MET' : 'NOT MET'}` : ''}; busy: ${r.busy}`);
    }
  }
  console.log('  host loss at k=3 (a job of 48 images):');
  const [h1, h2] = hosts;
  await hostLoss('GPU worker killed alone', h1!, () => stack.supervisor.kill(h1!.worker, 'SIGKILL', { stayDown: true }));
  await stack.supervisor.relaunch(h1!.worker);
  await hostLoss('GPU worker and its ComfyUI killed', h2!, () => {
    stack.supervisor.kill(h2!.worker, 'SIGKILL', { stayDown: true });
    stack.supervisor.kill(h2!.standin, 'SIGKILL', { stayDown: true });
  });
} finally {
  await stack.stop();
}

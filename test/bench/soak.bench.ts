// npm run bench:soak [-- --minutes N] — the API under a steady load: 500 SSE clients (BENCH_CLIENTS) on the
// all-jobs stream while 50 small jobs a minute (BENCH_JOBS_PER_MINUTE) are submitted for 10 minutes. Prints the
// errors, event latency, `GET /api/jobs` times, and the RSS of each process at the start, every minute, and the end.
import { parseArgs } from 'node:util';
import { startTestStack, until } from '../support/stack.ts';
import { ms, openSseClients, percentile, rssMb, submitJobs, timeJobList } from './live-events.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
const MINUTES = Number(values.minutes);
if (!(MINUTES > 0)) throw new Error('--minutes must be a positive number');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 500);
const JOBS_PER_MINUTE = Number(process.env.BENCH_JOBS_PER_MINUTE ?? 50);

const stack = await startTestStack({ comfyStepMs: 5, env: { LOG_LEVEL: 'info' } });
try {
  const [warm] = await submitJobs(stack, 1, 'warm-up');
  await until('the warm-up job', async () => (await stack.api(`/api/jobs/${warm}`)).body.job?.status === 'COMPLETED', 60_000);

  const clients = await openSseClients(stack, CLIENTS);
  await new Promise((r) => setTimeout(r, 1000));
  const processes = [...['api', 'worker-main', 'comfyui-demo', 'llm-demo'], ...Object.keys(stack.pools).map((pool) => `worker-gpu-${pool}`)]
    .map((name) => ({ name, pid: stack.supervisor.get(name)?.child?.pid })).filter((p) => p.pid);
  const samples: Record<string, number>[] = [];
  const sample = () => samples.push(Object.fromEntries(processes.map((p) => [p.name, rssMb(p.pid)])));
  sample();

  const ids: string[] = [];
  let submitErrors = 0;
  const end = Date.now() + MINUTES * 60_000;
  let listing = true;
  const list = timeJobList(stack, () => !listing, 500);
  const perMinute = setInterval(sample, 60_000);
  for (let next = Date.now(); next < end; next += 60_000 / JOBS_PER_MINUTE) {
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    await submitJobs(stack, 1, `soak ${ids.length}`).then((id) => ids.push(...id), () => { submitErrors += 1; });
  }
  await until('every client to see every job complete', () => ids.every((id) => clients.completedBy(id) >= CLIENTS), 120_000, 100)
    .catch((error) => console.log(`  ${error.message}`));
  clearInterval(perMinute);
  listing = false;
  const listed = await list;
  sample();
  const { latencies } = await clients.close();
  const [failed] = await stack.sql`SELECT count(*)::int AS n FROM jobs WHERE id = ANY(${ids}) AND status <> 'COMPLETED'`;
  const missed = ids.reduce((sum, id) => sum + CLIENTS - clients.completedBy(id), 0);

  const errors = clients.errors.length + submitErrors + failed!.n + listed.errors + missed;
  const p99 = percentile(latencies, 99);
  console.log(`\nbench:soak — ${CLIENTS} SSE clients on /api/events, ${JOBS_PER_MINUTE} jobs a minute for ${MINUTES} min (${ids.length} jobs)`);
  console.log(`  errors: ${errors}   target 0  ${errors === 0 ? 'MET' : 'NOT MET'}`);
  console.log(`    SSE connections failed or ended: ${clients.errors.length}; jobs refused: ${submitErrors}; jobs not completed: ${failed!.n}; GET /api/jobs not 200: ${listed.errors}; job.completed events missed by a client: ${missed}`);
  console.log(`  events delivered: ${latencies.length}; latency p50 ${ms(percentile(latencies, 50))}, p99 ${ms(p99)}, max ${ms(latencies.reduce((a, b) => Math.max(a, b), 0))}`);
  console.log(`  GET /api/jobs (${listed.timings.length} calls): p50 ${ms(percentile(listed.timings, 50))}, p99 ${ms(percentile(listed.timings, 99))}`);
  console.log(`  RSS in MB (start with the clients connected, each minute, end):`);
  for (const { name } of processes) {
    const series = samples.map((s) => s[name]!);
    const growth = (series.at(-1)! / series[0]! - 1) * 100;
    console.log(`    ${name.padEnd(16)} ${series.map((v) => v.toFixed(0)).join(' → ')}  (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %)   target ≤ +10 %  ${growth <= 10 ? 'MET' : 'NOT MET'}`);
  }
  if (clients.errors.length) console.log(`  first errors: ${clients.errors.slice(0, 3).join('; ')}`);
} finally {
  await stack.stop();
}

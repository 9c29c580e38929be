// What bench:events and bench:soak share: SSE clients on the all-jobs stream that time every event from its
// `time` (when it was appended) to its arrival, small jobs submitted in bursts, `GET /api/jobs` timed while they
// run, and the RSS of Atelier's processes.
import fs from 'node:fs';
import WebSocket from 'ws';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TSX_ARGS } from '../../infra/local/processes.ts';
import type { TestStack } from '../support/stack.ts';
import type { ClientsReport, ClientsRequest, EventSpread, EventTiming } from './sse-clients.ts';

export interface SseClients {
  /** connections that failed or ended while open, as they happen */
  errors: string[];
  /** how many clients saw this job's `job.completed` (as of the clients' last report, every 50 ms) */
  completedBy(jobId: string): number;
  /** the clients' own event-loop delay since the last call (its pauses would count as the API's latency) */
  delay(): Promise<{ p99: number; max: number }>;
  /**
   * closes every connection: milliseconds from each event's time to its arrival (one entry per event per client),
   * events per client, each notification's lag at a listener of the clients' process on PostgreSQL itself, and each
   * event's latency at the first and the last client to get it
   */
  close(): Promise<{ latencies: Int32Array; received: number[]; heard: EventTiming[]; spread: EventSpread[] }>;
}

/**
 * N clients on `GET /api/events` over plain HTTP (the browser's EventSource speaks the same), in a process of their
 * own (sse-clients.ts): in this one the stack's log pipes and the bench's requests would delay their arrivals.
 */
export async function openSseClients(stack: TestStack, count: number): Promise<SseClients> {
  const child = fork(fileURLToPath(new URL('./sse-clients.ts', import.meta.url)), [new URL('/api/events', stack.apiUrl).href, stack.token, String(count), stack.databaseUrl], {
    execArgv: TSX_ARGS, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const errors: string[] = [];
  const completed = new Map<string, number>();
  const waiting = new Map<string, (report: ClientsReport) => void>();
  const next = (type: ClientsReport['type']) => new Promise<ClientsReport>((resolve) => waiting.set(type, resolve));
  child.on('message', (report: ClientsReport) => {
    if (report.type === 'error') errors.push(report.text);
    else if (report.type === 'completed') for (const [id, n] of report.counts) completed.set(id, n);
    const resolve = waiting.get(report.type);
    waiting.delete(report.type);
    resolve?.(report);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const opened = await Promise.race([next('ready'), next('failed'), exited.then(() => undefined)]);
  if (opened?.type !== 'ready') {
    child.kill();
    throw new Error(`the SSE clients did not connect: ${opened?.type === 'failed' ? opened.message : 'their process exited'}`);
  }
  return {
    errors,
    completedBy: (jobId) => completed.get(jobId) ?? 0,
    async delay() {
      const answer = next('delay');
      child.send({ type: 'delay' } satisfies ClientsRequest);
      const report = await answer;
      return report.type === 'delay' ? { p99: report.p99, max: report.max } : { p99: NaN, max: NaN };
    },
    async close() {
      const answer = next('results');
      child.send({ type: 'close' } satisfies ClientsRequest);
      const report = await answer;
      await exited;
      if (report.type !== 'results') throw new Error('the SSE clients sent no results');
      return { latencies: report.latencies, received: report.received, heard: report.heard, spread: report.spread };
    },
  };
}

/** Small generate jobs, all submitted at once; their ids. */
export async function submitJobs(stack: TestStack, count: number, label: string): Promise<string[]> {
  const started = await Promise.all(Array.from({ length: count }, (_, i) => stack.api('/api/generate', {
    method: 'POST', json: { prompt: `${label} ${i}: a lighthouse at dusk`, width: 64, height: 64, steps: 2, seed: i },
  })));
  const refused = started.find((s) => s.status !== 202);
  if (refused) throw new Error(`generate refused: ${JSON.stringify(refused.body)}`);
  return started.map((s) => s.body.id as string);
}

/** Times `GET /api/jobs` (a page of 50) back to back until `done()` says stop. */
export async function timeJobList(stack: TestStack, done: () => boolean, pauseMs = 20): Promise<{ timings: number[]; errors: number }> {
  const timings: number[] = [];
  let errors = 0;
  while (!done()) {
    const start = performance.now();
    const { status } = await stack.api('/api/jobs?limit=50');
    timings.push(performance.now() - start);
    if (status !== 200) errors += 1;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return { timings, errors };
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

export const processPid = (stack: TestStack, name: string) => stack.supervisor.get(name)?.child?.pid;

export function percentile(values: ArrayLike<number>, p: number): number {
  if (!values.length) return NaN;
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Which part of the stack a process is, from its command line (or undefined: not part of it). */
function roleOf(pid: number, cmdline: string): string | undefined {
  if (pid === process.pid) return 'the bench (its log pipes, list calls)';
  if (cmdline.includes('sse-clients.ts')) return 'the SSE clients';
  if (cmdline.startsWith('postgres')) return 'postgres';
  if (/(^|\/)temporal\b/.test(cmdline.split('\0')[0]!)) return 'temporal';
  for (const [marker, role] of [['api/server.ts', 'api'], ['workers/main.ts', 'worker-main'], ['workers/gpu.ts', 'worker-gpu'], ['comfy-standin', 'ComfyUI stand-in'], ['openai-standin', 'LLM stand-in']] as const) {
    if (cmdline.includes(marker)) return role;
  }
  return undefined;
}

/** CPU seconds each part of the stack has used so far (user + system, all its threads; PostgreSQL's processes together). */
export function cpuByRole(): Map<string, number> {
  const ticks = 100; // USER_HZ on Linux
  const used = new Map<string, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const role = roleOf(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8'));
      if (!role) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      used.set(role, (used.get(role) ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      // the process ended while being read
    }
  }
  return used;
}

/**
 * A full garbage collection in another Node process, through its inspector (SIGUSR1 opens it on 127.0.0.1:9229,
 * closed again after): what the process keeps, apart from what its heap has not collected yet. Resolves false when
 * the inspector on that port is not that process's (another holds the port) or did not answer. One process at a time.
 */
export async function collectGarbage(pid: number | undefined): Promise<boolean> {
  if (!pid) return false;
  process.kill(pid, 'SIGUSR1');
  let target: { webSocketDebuggerUrl: string } | undefined;
  for (let waited = 0; !target && waited < 5000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    target = (await fetch('http://127.0.0.1:9229/json/list').then((r) => r.json() as Promise<(typeof target)[]>).catch(() => []))[0];
  }
  if (!target) return false;
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  try {
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    let next = 0;
    const call = (method: string, params: object = {}) => new Promise<any>((resolve) => {
      const id = ++next;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data));
        if (message.id === id) { socket.off('message', onMessage); resolve(message.result); }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
    const answered = await call('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
    if (answered?.result?.value !== pid) return false;
    await call('HeapProfiler.collectGarbage');
    // the port is free again for the next process (this ends the session: no answer comes)
    socket.send(JSON.stringify({ id: ++next, method: 'Runtime.evaluate', params: { expression: "require('node:inspector').close()", includeCommandLineAPI: true } }));
    await new Promise((resolve) => { socket.once('close', resolve); setTimeout(resolve, 1000); });
  } catch {
    return false;
  } finally {
    socket.terminate();
  }
  // freed pages go back to the system from a background task
  await new Promise((r) => setTimeout(r, 500));
  return true;
}

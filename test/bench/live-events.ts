// What bench:events and bench:soak share: SSE clients on the all-jobs stream that time every event from its
// `time` (when it was appended) to its arrival, small jobs submitted in bursts, `GET /api/jobs` timed while they
// run, and the RSS of Atelier's processes.
import fs from 'node:fs';
import http from 'node:http';
import type { TestStack } from '../support/stack.ts';

export interface SseClients {
  /** milliseconds from each event's time to its arrival, one entry per event per client */
  latencies: number[];
  /** events seen per client */
  received: number[];
  /** connections that failed or ended while open */
  errors: string[];
  /** how many clients saw this job's `job.completed` */
  completedBy(jobId: string): number;
  close(): void;
}

const FRAME_END = Buffer.from('\n\n');
const TIME = Buffer.from('"time":"');
const JOB = Buffer.from('"jobId":"');
const COMPLETED = Buffer.from('"type":"job.completed"');
const QUOTE = 0x22;

/** N clients on `GET /api/events` over plain HTTP (the browser's EventSource speaks the same). */
export async function openSseClients(stack: TestStack, count: number): Promise<SseClients> {
  const url = new URL('/api/events', stack.apiUrl);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const latencies: number[] = [];
  const received = new Array<number>(count).fill(0);
  const errors: string[] = [];
  const completed = new Map<string, number>();
  const requests: http.ClientRequest[] = [];
  let closing = false;

  const open = (index: number) => new Promise<void>((resolve, reject) => {
    const request = http.get(url, { agent, headers: { accept: 'text/event-stream', authorization: `Bearer ${stack.token}` } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`client ${index}: HTTP ${response.statusCode}`));
      // picked out of the bytes rather than parsed, with no string made but the time: 200 clients in this process
      // must not be what delays their events (its own pauses would count as the API's latency)
      let rest: Buffer | undefined;
      response.on('data', (chunk: Buffer) => {
        const now = Date.now();
        const data = rest ? Buffer.concat([rest, chunk]) : chunk;
        let start = 0;
        for (let end: number; (end = data.indexOf(FRAME_END, start)) >= 0; start = end + 2) {
          const key = data.indexOf(TIME, start);
          if (key < 0 || key > end) continue;
          const at = key + TIME.length;
          latencies.push(now - Date.parse(data.toString('latin1', at, data.indexOf(QUOTE, at))));
          received[index]! += 1;
          const done = data.indexOf(COMPLETED, start);
          if (done >= 0 && done < end) {
            const from = data.indexOf(JOB, start) + JOB.length;
            const jobId = data.toString('latin1', from, data.indexOf(QUOTE, from));
            completed.set(jobId, (completed.get(jobId) ?? 0) + 1);
          }
        }
        rest = start < data.length ? data.subarray(start) : undefined;
      });
      response.on('end', () => { if (!closing) errors.push(`client ${index}: the stream ended`); });
      response.on('error', (error) => { if (!closing) errors.push(`client ${index}: ${error.message}`); });
      resolve();
    });
    request.on('error', (error) => { if (!closing) errors.push(`client ${index}: ${error.message}`); reject(error); });
    requests.push(request);
  });

  for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)));
  return {
    latencies, received, errors,
    completedBy: (jobId) => completed.get(jobId) ?? 0,
    close() {
      closing = true;
      for (const request of requests) request.destroy();
      agent.destroy();
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

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Which part of the stack a process is, from its command line (or undefined: not part of it). */
function roleOf(pid: number, cmdline: string): string | undefined {
  if (pid === process.pid) return 'the bench (its SSE clients)';
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

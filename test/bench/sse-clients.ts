// The SSE clients of bench:events and bench:soak, in a process of their own as a browser's would be: N streams on
// `GET /api/events` that time every event from its `time` (when it was appended) to its arrival. Run by
// openSseClients (live-events.ts), which it answers over IPC; alone in its event loop, so neither the stack's log
// pipes nor the bench's own requests delay an arrival (a pause here would count as the API's latency).
// With a database URL it also listens on the events' channel itself, straight from PostgreSQL, and times each
// notification the same way: the part of the latency that comes before the API.
// argv: the stream's URL, the API token, how many clients[, the database URL].
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import postgres from 'postgres';
import { eventLog } from '../../db/events.ts';

/** what the parent asks */
export type ClientsRequest = { type: 'delay' } | { type: 'close' };
/** what this process tells the parent */
export type ClientsReport =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'error'; text: string }
  | { type: 'completed'; counts: [string, number][] }
  | { type: 'delay'; p99: number; max: number }
  | { type: 'results'; latencies: Int32Array; received: number[]; heard: EventTiming[]; spread: EventSpread[] };

/** an event's id and its notification's lag behind its time, at this process's own listener */
export type EventTiming = [id: number, lag: number];
/** an event's id and its latency at the first and the last of this process's clients to get it */
export type EventSpread = [id: number, first: number, last: number];

const FRAME_END = Buffer.from('\n\n');
const TIME = Buffer.from('"time":"');
const JOB = Buffer.from('"jobId":"');
const COMPLETED = Buffer.from('"type":"job.completed"');
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const ID = Buffer.from('id: ');

const [url, token, countArg, databaseUrl] = process.argv.slice(2);
const count = Number(countArg);
const report = (message: ClientsReport) => process.send!(message);

// one slot per arrival, grown by doubling: no array of boxed numbers for the collector to walk
let latencies = new Int32Array(1 << 16);
let arrivals = 0;
const received = new Array<number>(count).fill(0);
const completed = new Map<string, number>();
const changed = new Set<string>();
const requests: http.ClientRequest[] = [];
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
let closing = false;

// per event: the latency at its first and its last client
const spread = new Map<number, EventSpread>();

function arrived(id: number, latency: number): void {
  const seen = spread.get(id);
  if (seen) seen[2] = latency;
  else spread.set(id, [id, latency, latency]);
  if (arrivals === latencies.length) {
    const grown = new Int32Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[arrivals++] = latency;
}

const open = (index: number) => new Promise<void>((resolve, reject) => {
  const request = http.get(url!, { agent, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } }, (response) => {
    if (response.statusCode !== 200) return reject(new Error(`client ${index}: HTTP ${response.statusCode}`));
    // events are picked out of the bytes rather than parsed, with no string made but the time
    let rest: Buffer | undefined;
    response.on('data', (chunk: Buffer) => {
      const now = Date.now();
      const data = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let end: number; (end = data.indexOf(FRAME_END, start)) >= 0; start = end + 2) {
        const key = data.indexOf(TIME, start);
        if (key < 0 || key > end) continue;
        const at = key + TIME.length;
        const idAt = data.indexOf(ID, start) + ID.length;
        arrived(Number(data.toString('latin1', idAt, data.indexOf(NEWLINE, idAt))), now - Date.parse(data.toString('latin1', at, data.indexOf(QUOTE, at))));
        received[index]! += 1;
        const done = data.indexOf(COMPLETED, start);
        if (done >= 0 && done < end) {
          const from = data.indexOf(JOB, start) + JOB.length;
          const jobId = data.toString('latin1', from, data.indexOf(QUOTE, from));
          completed.set(jobId, (completed.get(jobId) ?? 0) + 1);
          changed.add(jobId);
        }
      }
      rest = start < data.length ? data.subarray(start) : undefined;
    });
    response.on('end', () => { if (!closing) report({ type: 'error', text: `client ${index}: the stream ended` }); });
    response.on('error', (error) => { if (!closing) report({ type: 'error', text: `client ${index}: ${error.message}` }); });
    resolve();
  });
  request.on('error', (error) => { if (!closing) report({ type: 'error', text: `client ${index}: ${error.message}` }); reject(error); });
  requests.push(request);
});

// each notification's lag behind its event's time, at a listener of this process's own
const heard: EventTiming[] = [];
const listener = databaseUrl ? postgres(databaseUrl, { max: 1, onnotice: () => {} }) : undefined;
// an event too large for its notification comes without itself, and without a time
if (listener) await eventLog(listener).listen(({ id, event }) => { if (event) heard.push([id, Date.now() - Date.parse(event.time)]); });

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
// the parent polls how many clients saw each job complete: changes go to it in one message every 50 ms
const sync = setInterval(() => {
  if (!changed.size) return;
  report({ type: 'completed', counts: [...changed].map((id) => [id, completed.get(id)!]) });
  changed.clear();
}, 50);

process.on('message', (request: ClientsRequest) => {
  if (request.type === 'delay') {
    report({ type: 'delay', p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
    delay.reset();
    return;
  }
  closing = true;
  clearInterval(sync);
  for (const r of requests) r.destroy();
  agent.destroy();
  report({ type: 'completed', counts: [...completed] });
  process.send!({ type: 'results', latencies: latencies.slice(0, arrivals), received, heard, spread: [...spread.values()] } satisfies ClientsReport, () => process.exit(0));
});

try {
  for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)));
  report({ type: 'ready' });
} catch (error) {
  report({ type: 'failed', message: (error as Error).message });
  process.exit(1);
}

import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { WebSocketServer } from 'ws';
import type { Standin, StandinOptions } from '../standin.ts';
import { controlRoutes } from './control.ts';
import { EventLog, type StandinStats } from './events.ts';
import { Executor, type Timing } from './executor.ts';
import { Faults, type FailClassFault } from './faults.ts';
import { errorHandler, notFound } from './http.ts';
import { SocketHub } from './hub.ts';
import { DataDirs } from './paths.ts';
import { InstalledNodes } from './nodes/installed.ts';
import { PromptQueue } from './queue.ts';
import { comfyRoutes } from './routes.ts';

export interface ComfyStandinOptions extends StandinOptions {
  /** time per sampler step, default 150 */
  stepMs?: number;
  /** time for every other node, default 5 */
  nodeMs?: number;
  /** no log lines on stderr */
  quiet?: boolean;
  /** node packs this server lacks (ComfyUI_IPAdapter_plus, ComfyUI-Impact-Pack, ComfyUI-Impact-Subpack) */
  withoutNodePacks?: string[];
}

export interface FaultControls {
  /** The class raises when one of its nodes starts (execution_error at that node). */
  failClass(spec: FailClassFault): void;
  /** Every open socket is cut after this many more frames. */
  dropSocketsAfter(frames: number): void;
  clear(): void;
  list(): { failures: Array<Required<Omit<FailClassFault, 'times'>> & { remaining: number | null }>; dropSocketsAfterFrames: number | null };
}

export interface ComfyStandin extends Standin {
  readonly kind: 'comfyui';
  readonly dataDir: string;
  /** one JSON line per queued/started/executed/interrupted/deleted prompt and per image written */
  readonly eventsFile: string;
  readonly faults: FaultControls;
  /** which node packs this server has; a pack left out vanishes from /object_info and /prompt refuses its classes */
  readonly installed: InstalledNodes;
  timing(): Timing;
  setTiming(timing: Partial<Timing>): void;
  stats(): StandinStats;
  /** As after a kill -9 and restart: queue, history, running prompt and cache gone, every socket closed. */
  forget(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startComfyStandin(opts: ComfyStandinOptions): Promise<ComfyStandin> {
  const dirs = new DataDirs(path.resolve(opts.dataDir));
  const host = opts.host ?? '127.0.0.1';
  const timing: Timing = { stepMs: opts.stepMs ?? 150, nodeMs: opts.nodeMs ?? 5 };
  const log = opts.quiet ? () => undefined : (line: string) => process.stderr.write(`[comfy-standin] ${line}\n`);
  const events = new EventLog(dirs.eventsFile);
  const faults = new Faults();
  const installed = new InstalledNodes(opts.withoutNodePacks);

  let executor: Executor | undefined;
  const hub = new SocketHub((sid) => executor!.greeting(sid));
  const queue: PromptQueue = new PromptQueue(() => hub.broadcast('status', { status: executor!.queueInfo() }));
  executor = new Executor({ queue, hub, dirs, events, faults, timing, log });
  const running = executor;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const api = comfyRoutes({ queue, executor, dirs, installed, events, log });
  app.use('/__standin', controlRoutes(() => standin));
  app.use('/api', api);
  app.use(api);
  app.use(notFound);
  app.use(errorHandler(log));

  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, url.searchParams.get('clientId')));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  running.start();
  log(`listening on http://${urlHost(host)}:${port} (data: ${dirs.root})`);

  const standin: ComfyStandin = {
    kind: 'comfyui',
    url: `http://${urlHost(host)}:${port}`,
    port,
    dataDir: dirs.root,
    eventsFile: dirs.eventsFile,
    faults: {
      failClass: (spec) => faults.failClass(spec),
      dropSocketsAfter: (frames) => hub.dropSocketsAfter(frames),
      clear: () => {
        faults.clear();
        hub.dropSocketsAfter(null);
      },
      list: () => ({ failures: faults.list(), dropSocketsAfterFrames: hub.pendingDrop }),
    },
    installed,
    timing: () => ({ ...timing }),
    setTiming: ({ stepMs, nodeMs }) => {
      if (stepMs !== undefined) timing.stepMs = stepMs;
      if (nodeMs !== undefined) timing.nodeMs = nodeMs;
    },
    stats: () => events.stats(),
    forget: async () => {
      running.forget();
      queue.reset();
      hub.closeAll();
      events.forgotten();
    },
    close: async () => {
      running.stop();
      hub.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standin;
}

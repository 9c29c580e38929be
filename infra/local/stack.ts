// Starts Atelier's processes: PostgreSQL (embedded unless DATABASE_URL), the Temporal dev server (unless
// TEMPORAL_ADDRESS), the demo ComfyUI (unless ATELIER_GPU_POOLS), then Atelier's own roles (infra/roles.ts): the main
// worker, a GPU worker per pool, the API.
// `npm start` and the integration tests use the same code.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { resolveApiToken } from '../../api/auth.ts';
import { createSupervisor, describeTail, TSX_ARGS, type LineSink, type Supervisor } from './processes.ts';
import { freePort, isPortFree, portProblem, waitForPort } from './ports.ts';
import { claimDataDir, prepareDataDir } from './data-dir.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { findTemporalCli, HOW_TO_GET_TEMPORAL, PROJECT_ROOT } from './temporal-cli.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages.ts';
import { ROLES, type ProcessRole } from '../roles.ts';

export interface StackOptions {
  /** the environment to read configuration from (defaults to process.env) */
  env?: NodeJS.ProcessEnv;
  onLine?: LineSink;
  say?: (message: string) => void;
  /** demo ComfyUI time per sampler step */
  comfyStepMs?: number;
  /** GPU hosts of the demo pool, each a GPU worker (`--host h1`…) with its own ComfyUI stand-in; unset: one, named after the machine */
  gpuHosts?: number;
  /** demo LLM time per reply (spread over a streamed reply) */
  llmReplyMs?: number;
  /** Temporal Web; tests turn it off */
  temporalWeb?: boolean;
  /** try 7233 and 8188 first (npm start); tests take any free port so they never meet a running Atelier */
  standardPorts?: boolean;
}

export interface Stack {
  apiUrl: string;
  token: string;
  dataDir: string;
  databaseUrl: string;
  temporalAddress: string;
  temporalWebUrl?: string;
  pools: Record<string, string>;
  /** the demo pool's hosts when `gpuHosts` was given: each one's ComfyUI and the names of its processes */
  gpuHosts: DemoGpuHost[];
  /** the OpenAI-compatible endpoint (…/v1): the configured one, or the demo stand-in's */
  llmUrl: string;
  supervisor: Supervisor;
  /** the environment every child gets */
  childEnv: NodeJS.ProcessEnv;
  stop(graceMs?: number): Promise<void>;
}

export interface DemoGpuHost { pool: string; host: string; comfyUrl: string; /** its stand-in's folder (standin-events.jsonl) */ comfyDataDir: string; standin: string; worker: string }

const entry = (file: string) => path.join(PROJECT_ROOT, file);
const jsonLog = (pattern: string) => (line: string) => line.includes(pattern);

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = options.env ?? process.env;
  const say = options.say ?? (() => {});
  const config = loadConfig(env);
  prepareDataDir(config.dataDir);
  // the one port that is not chosen free: say so before anything starts
  const apiPortProblem = await portProblem(config.api.port, config.api.host);
  if (apiPortProblem) throw new Error(`the API cannot listen: ${apiPortProblem}. Stop what uses it, or set ATELIER_API_PORT (and ATELIER_API_HOST) to another`);
  const releaseDataDir = claimDataDir(config.dataDir);
  const logDir = path.join(config.dataDir, 'logs', 'processes');
  const supervisor = createSupervisor({ logDir, runDir: path.join(config.dataDir, 'run'), onLine: options.onLine, onEvent: say, backgroundNice: config.backgroundNice });
  const cleanups: (() => Promise<void>)[] = [];
  const demo: string[] = [];

  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      say('starting embedded PostgreSQL…');
      // its log beside the other processes' (written at once: its last lines come as the launcher exits)
      const pgLog = path.join(logDir, 'postgres.out.log');
      const pg = await startEmbeddedPostgres(config.dataDir, (line) => {
        try { fs.appendFileSync(pgLog, line + '\n'); } catch { /* a log that cannot be written must not stop the database */ }
        options.onLine?.('postgres', line, 'stderr');
      }, say);
      cleanups.push(pg.stop);
      databaseUrl = pg.url;
      demo.push('postgres');
    }

    let temporalAddress = config.temporal.address;
    let temporalWebUrl: string | undefined = config.temporal.address ? config.temporal.uiUrl ?? undefined : undefined;
    if (!temporalAddress) {
      const cli = findTemporalCli(env);
      if (!cli) throw new Error(HOW_TO_GET_TEMPORAL);
      await supervisor.reap({ name: 'temporal', command: cli, args: [] });
      const standard = options.standardPorts ?? true;
      const web = options.temporalWeb ?? true;
      const dbFile = path.join(config.dataDir, 'temporal', 'temporal.sqlite');
      fs.mkdirSync(path.dirname(dbFile), { recursive: true });
      say(`starting the Temporal dev server (state in ${path.relative(process.cwd(), dbFile) || dbFile})…`);
      // a port chosen free can be taken before the server binds it (by another program, or by a connection's own
      // local port): the server then exits at once saying so, and starts again on ports chosen anew
      let port = 0;
      let uiPort = 0;
      for (let attempt = 1; ; attempt += 1) {
        port = await freePort(standard ? 7233 : undefined);
        uiPort = web ? (standard && (await isPortFree(config.temporal.uiPort)) ? config.temporal.uiPort : await freePort()) : 0;
        await supervisor.start({
          name: 'temporal', command: cli, restart: true, background: true,
          args: ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', dbFile, '--log-level', 'warn',
            ...(web ? ['--ui-port', String(uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch'] : ['--headless']),
            ...SEARCH_ATTRIBUTES.flatMap((name) => ['--search-attribute', `${name}=Keyword`])],
        });
        const failed = await waitForPort(port, '127.0.0.1', 60_000, () => {
          const temporal = supervisor.get('temporal');
          return temporal?.exits ? `the Temporal dev server stopped as it started (${temporal.lastExit})${describeTail(temporal)}\nIf its state file ${dbFile} is damaged, remove it (the history of past workflows is lost), or set TEMPORAL_ADDRESS to a Temporal server of your own` : undefined;
        }).then(() => undefined, (error: Error) => error);
        if (!failed) break;
        const portTaken = supervisor.get('temporal')?.tail.some((line) => line.includes('address already in use'));
        await supervisor.stop('temporal');
        if (!portTaken || attempt === 3) throw failed;
        say(`a port chosen for the Temporal dev server was taken as it started; choosing others`);
      }
      temporalAddress = `127.0.0.1:${port}`;
      temporalWebUrl = web ? `http://127.0.0.1:${uiPort}` : undefined;
      demo.push('temporal');
    }

    let pools = config.gpuPools;
    const gpuHosts: DemoGpuHost[] = [];
    if (!Object.keys(pools).length) {
      const hostCount = Math.max(1, options.gpuHosts ?? 1);
      say(`starting the demo ComfyUI stand-in${hostCount > 1 ? `s of ${hostCount} GPU hosts` : ''} (images drawn with sharp, no GPU)…`);
      // the first keeps the single host's names, port and folder, so `npm start` is as it was
      const urls = await Promise.all(Array.from({ length: hostCount }, async (_, i) => {
        const name = i === 0 ? 'comfyui-demo' : `comfyui-demo-h${i + 1}`;
        await supervisor.reap({ name, command: process.execPath, args: [entry('infra/local/comfy-standin/main.ts')] });
        const port = await freePort(i === 0 && (options.standardPorts ?? true) ? 8188 : undefined);
        const dataDir = path.join(config.dataDir, i === 0 ? 'comfyui' : `comfyui-h${i + 1}`);
        let url = '';
        await supervisor.start({
          name, command: process.execPath, restart: true, background: true,
          args: [...TSX_ARGS, entry('infra/local/comfy-standin/main.ts'), '--port', String(port), '--data-dir', dataDir, '--step-ms', String(options.comfyStepMs ?? config.demoStepMs)],
          ready: (line) => {
            if (!line.includes('"standin"')) return false;
            url = (JSON.parse(line) as { url: string }).url;
            return true;
          },
        });
        return { name, url, dataDir };
      }));
      pools = { demo: urls[0]!.url };
      if (options.gpuHosts !== undefined) gpuHosts.push(...urls.map(({ name, url, dataDir }, i) => ({ pool: 'demo', host: `h${i + 1}`, comfyUrl: url, comfyDataDir: dataDir, standin: name, worker: `worker-gpu-demo-h${i + 1}` })));
      demo.push('comfyui:demo');
    }

    let llm: { baseUrl: string; apiKey?: string } = { baseUrl: config.llm.baseUrl ?? '', apiKey: config.llm.apiKey };
    if (!llm.baseUrl) {
      const marker = entry('infra/local/openai-standin/main.ts');
      await supervisor.reap({ name: 'llm-demo', command: process.execPath, args: [marker] });
      say('starting the demo LLM (an OpenAI-compatible stand-in, no model)…');
      let url = '';
      await supervisor.start({
        name: 'llm-demo', command: process.execPath, restart: true, background: true,
        args: [...TSX_ARGS, marker, '--port', '0', '--data-dir', path.join(config.dataDir, 'llm'), '--reply-ms', String(options.llmReplyMs ?? config.demoLlmMs),
          '--models', [config.llm.model, config.llm.visionModel, config.llm.imageModel].join(',')],
        ready: (line) => {
          if (!line.includes('"standin"')) return false;
          url = (JSON.parse(line) as { url: string }).url;
          return true;
        },
      });
      llm = { baseUrl: url, apiKey: 'demo' };
      demo.push('llm');
    }

    const { token } = resolveApiToken(config.dataDir, config.api.token);
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      DATA_DIR: config.dataDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_UI_URL: temporalWebUrl ?? 'none',
      ATELIER_GPU_POOLS: Object.entries(pools).map(([name, url]) => `${name}=${url}`).join(','),
      OPENAI_BASE_URL: llm.baseUrl,
      OPENAI_API_KEY: llm.apiKey ?? '',
      ATELIER_DEMO_BACKENDS: demo.join(','),
      // the demo ComfyUI reads LoRAs from its data folder; GPU workers put trained ones there
      ...(demo.includes('comfyui:demo') && !env.ATELIER_COMFY_LORAS_DIR ? { ATELIER_COMFY_LORAS_DIR: path.join(config.dataDir, 'comfyui', 'models', 'loras') } : {}),
    };
    loadConfig(childEnv);

    const lateProblem = await portProblem(config.api.port, config.api.host);
    if (lateProblem) throw new Error(`the API cannot listen: ${lateProblem}. Stop what uses it, or set ATELIER_API_PORT to another`);
    const startRole = (role: ProcessRole, name: string, args: string[], env: NodeJS.ProcessEnv = {}) => supervisor.start({
      name, command: process.execPath, args: [...(role.nodeOptions ?? []), ...TSX_ARGS, entry(role.entry), ...args], env: { ...childEnv, ...env }, restart: true, background: role.background,
      ready: role.ready ? jsonLog(role.ready) : undefined, readyTimeoutMs: 120_000,
    });
    say('starting workers and the API…');
    await Promise.all(ROLES.flatMap((role) => {
      if (role.launcher === 'once') return [startRole(role, role.name, [])];
      if (role.launcher === 'per-pool') {
        return Object.keys(pools).flatMap((pool) => {
          const hosts = gpuHosts.filter((h) => h.pool === pool);
          if (!hosts.length) return [startRole(role, `${role.name}-${pool}`, ['--pool', pool])];
          // each host puts trained LoRAs into its own ComfyUI's folder
          return hosts.map((h) => startRole(role, h.worker, ['--pool', pool, '--host', h.host, '--comfy-url', h.comfyUrl],
            env.ATELIER_COMFY_LORAS_DIR ? {} : { ATELIER_COMFY_LORAS_DIR: path.join(h.comfyDataDir, 'models', 'loras') }));
        });
      }
      return [];
    }));

    let stopped = false;
    return {
      apiUrl: config.api.publicUrl ?? `http://${config.api.host}:${config.api.port}`,
      token, dataDir: config.dataDir, databaseUrl, temporalAddress, temporalWebUrl, pools, gpuHosts, llmUrl: llm.baseUrl, supervisor, childEnv,
      async stop(graceMs = 5000) {
        if (stopped) return;
        stopped = true;
        await supervisor.stopAll(graceMs);
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
        releaseDataDir();
      },
    };
  } catch (error) {
    await supervisor.stopAll(3000);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    releaseDataDir();
    throw error;
  }
}

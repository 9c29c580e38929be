// `npm start` in a terminal and Ctrl-C, through a real pseudo-terminal (util-linux `script`): the terminal signals
// its whole foreground process group (npm, the bootstrap, the launcher), and the launcher alone must stop
// everything in order — PostgreSQL last and cleanly — then say so; a job running at ^C finishes after the next start.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until } from '../support/stack.ts';
import { freePort } from '../../infra/local/ports.ts';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-ctrl-c-'));
const started: ChildProcess[] = [];

after(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  const outside = fs.existsSync(path.join(dataDir, 'postgres.json')) ? databaseDir() : undefined;
  if (outside?.startsWith('/var/lib/atelier/postgres/')) fs.rmSync(outside, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Terminal { output(): string; ctrlC(): void; exited: Promise<number | null> }

/** `npm start` as typed in a terminal: the command is the session's foreground process group */
function npmStartInTerminal(env: Record<string, string>): Terminal {
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', 'npm start', '/dev/null'], {
    cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env, TEMPORAL_CLI: findTemporalCli()!, DATABASE_URL: '', TEMPORAL_ADDRESS: '', ATELIER_GPU_POOLS: '', ATELIER_API_TOKEN: '',
      OPENAI_BASE_URL: '', OPENAI_API_KEY: '', LOG_LEVEL: 'info', DATA_DIR: dataDir, npm_config_update_notifier: 'false', ...env,
    },
  });
  started.push(child);
  let text = '';
  child.stdout!.on('data', (c) => (text += c));
  child.stderr!.on('data', (c) => (text += c));
  return {
    output: () => text,
    // what the terminal's line discipline turns into SIGINT for the foreground process group
    ctrlC: () => child.stdin!.write('\x03'),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
}

const alive = (pid: number) => {
  try { return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; }
};

/** where the embedded PostgreSQL keeps its data (outside DATA_DIR when its user cannot reach it) */
const databaseDir = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')).dataDir ?? path.join(dataDir, 'postgres');

/** the launcher's and every child's pid, from the files they are known by */
function stackPids(): number[] {
  const runDir = path.join(dataDir, 'run');
  const files = [path.join(dataDir, 'launcher.pid'), path.join(databaseDir(), 'postmaster.pid'), ...fs.readdirSync(runDir).map((f) => path.join(runDir, f))];
  return files.map((file) => Number(fs.readFileSync(file, 'utf8').split('\n')[0]));
}

async function waitUntilRunning(terminal: Terminal): Promise<{ api: (route: string, init?: RequestInit) => Promise<any> }> {
  await until('Atelier to be running', () => {
    if (/could not start/.test(terminal.output())) throw new Error(terminal.output());
    return terminal.output().includes('Atelier is running');
  }, 120_000, 200).catch((error) => { throw new Error(`${error.message}\n${terminal.output().slice(-3000)}`); });
  const token = /API token\s+(\S+)/.exec(terminal.output())![1]!;
  const url = /Web UI and API\s+(\S+)/.exec(terminal.output())![1]!;
  return {
    api: async (route, init = {}) => (await fetch(url + route, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })).json(),
  };
}

async function pressCtrlC(terminal: Terminal): Promise<void> {
  const pids = stackPids();
  assert.ok(pids.length >= 7, `launcher, postgres and the supervised children: ${pids}`);
  const from = terminal.output().length;
  terminal.ctrlC();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([terminal.exited, new Promise((r) => { timer = setTimeout(() => r('still running after 60 s'), 60_000); })]);
  clearTimeout(timer);
  const said = terminal.output().slice(from);
  assert.equal(code, 130, `npm ends as a command stopped by ^C does:\n${said}`);
  assert.match(said, /stopping…[\s\S]*API stopping[\s\S]*atelier\s+stopped\s*$/, 'the launcher stops everything, then says so');
  assert.ok(!/\n\s+at |Error:/.test(said), said);
  assert.doesNotMatch(said, /ECONNREFUSED|gRPC call \S+ retried/, 'the workers stopped before Temporal and the demo services they call');
  assert.ok(!fs.existsSync(path.join(dataDir, 'launcher.pid')), 'no launcher.pid left behind');
  const log = fs.readFileSync(path.join(dataDir, 'logs', 'processes', 'postgres.out.log'), 'utf8');
  const shutdown = log.slice(log.lastIndexOf('database system is ready to accept connections'));
  assert.match(shutdown, /received fast shutdown request[\s\S]*database system is shut down\s*$/, 'PostgreSQL shut down cleanly');
  // a session still open at the shutdown request would end with "FATAL: terminating connection due to administrator command"
  assert.doesNotMatch(shutdown, /FATAL/, 'PostgreSQL stopped last, after every process using it');
  await until('every process of the stack to end', () => pids.every((pid) => !alive(pid)), 10_000, 100)
    .catch(() => assert.deepEqual(pids.filter(alive), [], 'nothing left running'));
}

test('Ctrl-C in a terminal: everything stops in order and says "stopped", no pid file is left, PostgreSQL shuts down cleanly, and a job running at ^C completes after the next start', { skip: HAS_SCRIPT ? false : 'needs util-linux script' }, async () => {
  await ensureUiBuilt(() => {});
  // slow demo steps, so the job is still at the GPU when ^C comes
  const env = { ATELIER_API_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()), ATELIER_DEMO_STEP_MS: '400' };
  const first = npmStartInTerminal(env);
  const { api } = await waitUntilRunning(first);
  const job = await api('/api/generate', { method: 'POST', body: JSON.stringify({ prompt: 'interrupted by ^C', width: 64, height: 64, steps: 8 }) });
  assert.ok(job.id, JSON.stringify(job));
  await until('the job to reach the GPU', () => fs.readFileSync(path.join(dataDir, 'logs', 'processes', 'comfyui-demo.out.log'), 'utf8').includes('got prompt'), 30_000, 100);
  await pressCtrlC(first);

  const second = npmStartInTerminal(env);
  const again = await waitUntilRunning(second);
  const finished = await until('the interrupted job to finish', async () => {
    const { job: row } = await again.api(`/api/jobs/${job.id}`);
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row?.status) ? row : undefined;
  }, 90_000, 300);
  assert.equal(finished.status, 'COMPLETED', finished.error);
  await pressCtrlC(second);
});

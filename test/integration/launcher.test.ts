// `npm start`'s launcher from the outside: as root in a fresh clone inside a folder only root can enter (the
// embedded PostgreSQL runs as the postgres user, who cannot reach it), and its failures, each one message.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestStack, until } from '../support/stack.ts';
import { waitForStatus } from '../support/jobs.ts';
import { freePort } from '../../infra/local/ports.ts';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const AS_ROOT = process.getuid?.() === 0;

before(async () => { await ensureUiBuilt(() => {}); });

interface Launch { code: number | null; stdout: string; stderr: string }

/** The launcher with a clean environment: nothing configured unless given. */
function launcherEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env, TEMPORAL_CLI: findTemporalCli()!, DATABASE_URL: '', TEMPORAL_ADDRESS: '', ATELIER_GPU_POOLS: '', ATELIER_API_TOKEN: '', DATA_DIR: '',
    ATELIER_TEMPLATES_DIR: '', LOG_LEVEL: 'info', ...extra,
  };
}

function runLauncher(cwd: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Launch> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(cwd, 'infra/local/launcher.ts')], { cwd, env: launcherEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Processes whose command line mentions this folder (none may be left once the launcher is gone). */
function processesUnder(folder: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(folder) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline.slice(0, 160)}`);
    } catch { /* gone */ }
  }
  return found;
}

/** A clone of this repository, with this checkout's installed packages (hard links: fast, and private to the clone). */
function cloneInto(parent: string): string {
  const clone = path.join(parent, 'atelier');
  const git = spawnSync('git', ['clone', '--quiet', ROOT, clone], { encoding: 'utf8' });
  assert.equal(git.status, 0, `git clone failed: ${git.stderr}`);
  const linked = spawnSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules')]);
  if (linked.status !== 0) fs.cpSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  // the built UI is not what is under test: bring it along, newer than the sources so it is not rebuilt
  fs.cpSync(path.join(ROOT, 'ui', 'dist'), path.join(clone, 'ui', 'dist'), { recursive: true });
  const now = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(clone, 'ui', 'dist', 'index.html'), now, now);
  return clone;
}

test('as root, a fresh clone in a folder only root can enter starts with its embedded PostgreSQL and serves a job', { skip: AS_ROOT ? false : 'needs root' }, async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-0700-'));
  assert.equal(fs.statSync(parent).mode & 0o777, 0o700);
  const clone = cloneInto(parent);
  const apiPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/launcher.ts'], {
    cwd: clone, env: launcherEnv({ ATELIER_API_PORT: String(apiPort), TEMPORAL_UI_PORT: String(await freePort()) }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let databaseDir: string | undefined;
  try {
    for (const deadline = Date.now() + 120_000; !stdout.includes('Atelier is running');) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the launcher did not start:\n${stdout.slice(-2000)}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const token = /API token\s+(\S+)/.exec(stdout)![1]!;
    databaseDir = JSON.parse(fs.readFileSync(path.join(clone, '.data', 'postgres.json'), 'utf8')).dataDir;
    assert.match(databaseDir!, /^\/var\/lib\/atelier\/postgres\/[0-9a-f]{16}$/, 'the data lives where the postgres user can reach it');
    assert.equal(fs.statSync(databaseDir!).uid, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), 'owned by the postgres user');
    assert.match(stdout, /using its programs from \/var\/lib\/atelier\/postgresql-/);

    const api = async (route: string, init: RequestInit = {}) => {
      const response = await fetch(`http://127.0.0.1:${apiPort}${route}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
      return { status: response.status, body: await response.json() as any };
    };
    const health = await api('/api/health');
    assert.equal(health.body.database.embedded, true);
    const started = await api('/api/generate', { method: 'POST', body: JSON.stringify({ prompt: 'from a closed folder', width: 128, height: 128, steps: 2 }) });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await until('the job to finish', async () => {
      const { body } = await api(`/api/jobs/${started.body.id}`);
      return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(body.job?.status) ? body : undefined;
    }, 90_000, 300);
    assert.equal(job.job.status, 'COMPLETED', job.job.error);
    assert.ok(fs.existsSync(path.join(clone, '.data', job.assets[0].relativePath)));
  } finally {
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.ok(!/\n\s+at /.test(stderr), stderr);
    await until('every process of the clone to end', () => processesUnder(clone).length === 0, 20_000).catch(() => assert.deepEqual(processesUnder(clone), []));
    fs.rmSync(parent, { recursive: true, force: true });
    if (databaseDir?.startsWith('/var/lib/atelier/postgres/')) fs.rmSync(databaseDir, { recursive: true, force: true });
  }
});

test('a launcher failure ends in one message that says what failed and what to do, with no stack trace', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-fail-'));
  // others may pass through (as into a home folder), so the broken database below is one PostgreSQL tries to open
  fs.chmodSync(scratch, 0o711);
  const file = path.join(scratch, 'a-file');
  fs.writeFileSync(file, 'not a folder');
  const damaged = path.join(scratch, 'damaged');
  fs.mkdirSync(damaged);
  fs.writeFileSync(path.join(damaged, 'postgres.json'), '{"user": "atelier", "pass');
  const brokenCluster = path.join(scratch, 'broken-cluster');
  fs.mkdirSync(path.join(brokenCluster, 'postgres'), { recursive: true });
  fs.writeFileSync(path.join(brokenCluster, 'postgres.json'), JSON.stringify({ user: 'atelier', password: 'x'.repeat(24) }));
  fs.writeFileSync(path.join(brokenCluster, 'postgres', 'PG_VERSION'), '18\n');
  const taken = net.createServer();
  const takenPort = await freePort();
  await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
  const apiPort = String(await freePort());
  const cases: [string, Record<string, string>, RegExp][] = [
    ['DATA_DIR is a file', { DATA_DIR: file, ATELIER_API_PORT: apiPort }, /^Atelier could not start: DATA_DIR .*a-file is not a folder \(a file is in the way\): set DATA_DIR to a folder, or move that file$/],
    ['the API port is taken', { DATA_DIR: path.join(scratch, 'd1'), ATELIER_API_PORT: String(takenPort) }, new RegExp(`^Atelier could not start: the API cannot listen: port ${takenPort} on 127\\.0\\.0\\.1 is in use .*set ATELIER_API_PORT`)],
    ['the API host is not this machine', { DATA_DIR: path.join(scratch, 'd2'), ATELIER_API_HOST: '192.0.2.1', ATELIER_API_PORT: apiPort }, /^Atelier could not start: the API cannot listen: 192\.0\.2\.1 is not an address of this machine/],
    ['a damaged postgres.json', { DATA_DIR: damaged, ATELIER_API_PORT: apiPort }, /^Atelier could not start: .*damaged\/postgres\.json is damaged \(it holds the embedded database's password\): restore it from a backup, .*or set DATABASE_URL/],
    ['a database folder that is not a database', { DATA_DIR: brokenCluster, ATELIER_API_PORT: apiPort }, /^Atelier could not start: PostgreSQL stopped as it started \(code \d+\), on the database in .*broken-cluster\/postgres:\n[\s\S]*If the database in .* is damaged, remove it to start over/],
    ['a bad setting', { DATA_DIR: path.join(scratch, 'd3'), LOG_LEVEL: 'loud' }, /^Atelier cannot start: the environment has bad values\.\n- LOG_LEVEL must be one of/],
  ];
  try {
    for (const [what, env, message] of cases) {
      const result = await runLauncher(ROOT, env);
      assert.equal(result.code, 1, `${what}: ${result.stderr}`);
      assert.match(result.stderr.trim(), message, what);
      assert.ok(!/\n\s+at |Error:|node:internal/.test(result.stderr + result.stdout), `${what}: no stack trace\n${result.stderr}`);
      assert.deepEqual(processesUnder(scratch), [], `${what}: nothing left running`);
    }
  } finally {
    taken.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

test('a port of the Temporal dev server taken as it starts: the launcher starts it again on other ports; a server that keeps failing ends in its message', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-port-race-'));
  // a Temporal CLI whose first starts fail as the real one does when a port it was given is taken meanwhile
  const wrapper = (failures: number) => {
    const file = path.join(scratch, `temporal-${failures}`);
    fs.writeFileSync(file, [
      '#!/bin/sh',
      `count_file=${JSON.stringify(file + '.starts')}`,
      'starts=$(cat "$count_file" 2>/dev/null || echo 0); starts=$((starts + 1)); echo $starts > "$count_file"',
      `if [ "$1" = server ] && [ $starts -le ${failures} ]; then`,
      '  echo \'{"level":"FATAL","prefix":"echo","file":"server.go","line":"155","message":"listen tcp 127.0.0.1:36887: bind: address already in use"}\'',
      '  exit 1',
      'fi',
      `exec ${JSON.stringify(findTemporalCli()!)} "$@"`,
    ].join('\n') + '\n', { mode: 0o755 });
    return file;
  };
  try {
    const stack = await startTestStack({ env: { TEMPORAL_CLI: wrapper(2) } });
    try {
      assert.equal(fs.readFileSync(path.join(scratch, 'temporal-2.starts'), 'utf8').trim(), '3', 'started a third time');
      assert.equal(stack.logs.filter((line) => line.includes('was taken as it started; choosing others')).length, 2);
      const { status, body } = await stack.api('/api/generate', { method: 'POST', json: { prompt: 'a lighthouse', width: 64, height: 64, steps: 2 } });
      assert.equal(status, 202, JSON.stringify(body));
      const job = await waitForStatus(stack, body.id, ['COMPLETED', 'FAILED', 'CANCELLED']);
      assert.equal(job.status, 'COMPLETED', job.error);
    } finally {
      await stack.stop();
    }
    await assert.rejects(startTestStack({ env: { TEMPORAL_CLI: wrapper(10) } }), (error: Error) => {
      assert.match(error.message, /^the Temporal dev server stopped as it started \(code 1\):\n.*address already in use/);
      return true;
    });
    assert.equal(fs.readFileSync(path.join(scratch, 'temporal-10.starts'), 'utf8').trim(), '3', 'three tries, then the message');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

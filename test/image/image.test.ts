// `npm run image:test`: the image built by `npm run image:build`, each role run from the image's own filesystem with
// `buildah run` against the host's PostgreSQL, a Temporal dev server and the ComfyUI stand-in: migrate (twice), then
// api, worker-main and worker-gpu; /api/health, the web UI, a job end to end, SIGTERM through tini, and nothing
// written outside /tmp and /data. Not part of `npm test` (it needs the image, and root for buildah).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IMAGE_NAME, buildah, imageArchive, imageExists, projectVersion, requireHostTools, spawnBuildah } from '../../infra/image/buildah.ts';
import postgres from 'postgres';
import { createSupervisor, TSX_ARGS } from '../../infra/local/processes.ts';
import { freePort, waitForPort } from '../../infra/local/ports.ts';
import { findTemporalCli, HOW_TO_GET_TEMPORAL, PROJECT_ROOT } from '../../infra/local/temporal-cli.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages.ts';
import { createTestDatabase, until } from '../support/stack.ts';

const say = (message: string) => process.stdout.write(`# ${message}\n`);
const image = `${IMAGE_NAME}:${projectVersion()}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-image-test-'));
const dataDir = path.join(work, 'data');
const supervisor = createSupervisor({ logDir: path.join(work, 'logs'), runDir: path.join(work, 'run') });
const token = `atl_${crypto.randomBytes(16).toString('hex')}`;
const containerName = `atelier-image-test-${process.pid}`;
const roles = new Map<string, { child: ChildProcess; output: string[]; exit: Promise<number | null> }>();
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let container = '';
let entrypoint: string[] = [];
let user = '';
let temporal = '';
let comfyUrl = '';
let apiUrl = '';
let env: Record<string, string> = {};
let started = 0;

/** Runs one role in the container with the image's own entrypoint, as a Kubernetes pod's command would. */
function startRole(name: string, args: string[] = []) {
  const child = spawnBuildah(['run', '--isolation', 'chroot', '--user', user, '--volume', `${dataDir}:/data`,
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), container, '--', ...entrypoint, name, ...args]);
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entry = { child, output, exit };
  roles.set(args.length ? `${name} ${args.join(' ')}` : name, entry);
  return entry;
}

/** `work`, or a failure naming it after `ms` (the timer does not keep the process alive once the work is done) */
const withTimeout = <T>(what: string, ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms).unref())]);

/** The host pid of the tini that runs a role (the container shares the host's process table under chroot isolation). */
function tiniOf(role: string): number | undefined {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { continue; }
    if (cmdline.startsWith('/usr/bin/tini -- node') && cmdline.includes(`run-role.ts ${role}`)) return Number(pid);
  }
  return undefined;
}

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('npm run image:test runs buildah with chroot isolation: run it as root');
  requireHostTools(['buildah'], say);
  if (!imageExists(image)) {
    if (!fs.existsSync(imageArchive())) throw new Error(`no image ${image}: run npm run image:build first`);
    buildah(['pull', '--quiet', `oci-archive:${imageArchive()}`]);
    buildah(['tag', `atelier:${projectVersion()}`, image]);
  }
  const config = JSON.parse(buildah(['inspect', '--type', 'image', image])).OCIv1.config;
  entrypoint = config.Entrypoint;
  user = config.User;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o777);

  database = await createTestDatabase();
  const cli = findTemporalCli();
  if (!cli) throw new Error(HOW_TO_GET_TEMPORAL);
  const port = await freePort();
  // without Atelier's search attributes: the migrate role must add them
  await supervisor.start({ name: 'temporal', command: cli, args: ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(work, 'temporal.sqlite'), '--log-level', 'warn'] });
  await waitForPort(port, '127.0.0.1', 60_000);
  temporal = `127.0.0.1:${port}`;
  await supervisor.start({
    name: 'comfyui', command: process.execPath, args: [...TSX_ARGS, path.join(PROJECT_ROOT, 'infra/local/comfy-standin/main.ts'), '--port', '0', '--data-dir', path.join(work, 'comfyui'), '--step-ms', '10'],
    ready: (line) => line.includes('"standin"') && Boolean(comfyUrl = (JSON.parse(line) as { url: string }).url),
  });
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  env = {
    DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporal, TEMPORAL_UI_URL: 'none', ATELIER_API_TOKEN: token,
    ATELIER_API_HOST: '127.0.0.1', ATELIER_API_PORT: String(apiPort), ATELIER_GPU_POOLS: `demo=${comfyUrl}`,
    ATELIER_GPU_HOST: 'image-test', ATELIER_DEMO_BACKENDS: 'comfyui:demo',
  };
  const creating = Date.now();
  container = buildah(['from', '--name', containerName, '--quiet', image]);
  started = Date.now();
  say(`working container from the image in ${((started - creating) / 1000).toFixed(1)} s (vfs copies the image)`);
});

after(async () => {
  const stopping = Date.now();
  for (const { child } of roles.values()) if (child.exitCode === null) child.kill('SIGKILL');
  if (container) {
    try { buildah(['rm', container]); } catch (error) { say(`could not remove the working container ${containerName}: ${(error as Error).message}`); }
  }
  await supervisor.stopAll(3000);
  await database?.drop();
  if (!process.env.ATELIER_KEEP_TEST_DATA) fs.rmSync(work, { recursive: true, force: true });
  say(`cleaned up in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
});

test('the image runs as a non-root user, with tini as PID 1 in front of the role', () => {
  assert.match(user, /^10001(:10001)?$/);
  assert.deepEqual(entrypoint.slice(0, 2), ['/usr/bin/tini', '--']);
  assert.ok(entrypoint.at(-1)!.endsWith('infra/run-role.ts'));
});

test('migrate applies the migrations and adds the search attributes, and a second run changes nothing', async () => {
  const first = startRole('migrate');
  assert.equal(await withTimeout('migrate', 180_000, first.exit), 0, first.output.join('\n'));
  assert.ok(first.output.some((l) => l.includes('database migrated')), first.output.join('\n'));
  assert.ok(first.output.some((l) => l.includes('registered search attributes')), first.output.join('\n'));
  const listed = spawnSync(findTemporalCli()!, ['operator', 'search-attribute', 'list', '--address', temporal], { encoding: 'utf8' }).stdout;
  for (const name of SEARCH_ATTRIBUTES) assert.match(listed, new RegExp(`${name}\\s+Keyword`));
  const sql = postgres(database!.url, { max: 1, onnotice: () => {} });
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM atelier_migrations`;
  await sql.end();
  assert.equal(n, fs.readdirSync(path.join(PROJECT_ROOT, 'db', 'migrations')).filter((f) => f.endsWith('.sql')).length, 'every migration applied');
  const second = startRole('migrate');
  assert.equal(await withTimeout('migrate again', 180_000, second.exit), 0, second.output.join('\n'));
  const done = second.output.find((l) => l.includes('migrate done'));
  assert.ok(done && JSON.parse(done).added.length === 0, `the second run changed something:\n${second.output.join('\n')}`);
  assert.ok(!second.output.some((l) => l.includes('database migrated')));
});

test('api, worker-main and worker-gpu from the image: /api/health ok, the web UI, a job end to end', async () => {
  const rolesStarted = Date.now();
  const api = startRole('api');
  startRole('worker-main');
  startRole('worker-gpu', ['--pool', 'demo']);
  const health = await until('/api/health to say ok', async () => {
    if (api.child.exitCode !== null) throw new Error(`the api role exited (${api.child.exitCode}):\n${api.output.join('\n')}`);
    const response = await fetch(`${apiUrl}/api/health`).catch(() => undefined);
    const body = response?.ok ? await response.json() as any : undefined;
    return body?.status === 'ok' ? body : undefined;
  }, 240_000, 500);
  say(`/api/health ok ${((Date.now() - rolesStarted) / 1000).toFixed(1)} s after api, worker-main and worker-gpu started (cold tsx cache)`);
  assert.equal(health.database.ok, true);
  assert.equal(health.temporal.ok, true);
  assert.equal(health.pools[0].name, 'demo');
  assert.ok(health.workers.main.length > 0 && health.pools[0].workers.length > 0);

  const page = await fetch(`${apiUrl}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module"[^>]+src="\/assets\//, 'the built UI is served from the image');

  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const accepted = await fetch(`${apiUrl}/api/generate`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'a lighthouse at dusk, from the image', width: 256, height: 256, steps: 4 }) });
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const { id } = await accepted.json() as { id: string };
  let last: any;
  const job = await until(`job ${id} to complete`, async () => {
    last = await (await fetch(`${apiUrl}/api/jobs/${id}`, { headers })).json();
    return last.job?.status === 'COMPLETED' || last.job?.status === 'FAILED' ? last : undefined;
  }, 120_000, 500).catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(last?.job)}\n${[...roles.entries()].map(([name, r]) => `--- ${name}\n${r.output.slice(-15).join('\n')}`).join('\n')}`);
  });
  assert.equal(job.job.status, 'COMPLETED', JSON.stringify(job.job));
  const asset = job.assets[0];
  const bytes = Buffer.from(await (await fetch(`${apiUrl}/api/assets/${asset.id}`, { headers })).arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  assert.ok(fs.existsSync(path.join(dataDir, asset.relativePath)), 'the image was written to the data volume');
});

test('SIGTERM reaches each role through tini: the API and the workers stop cleanly', async () => {
  for (const role of ['api', 'worker-main', 'worker-gpu --pool demo']) {
    const entry = roles.get(role)!;
    const tini = tiniOf(role);
    assert.ok(tini, `no tini running ${role}`);
    process.kill(tini, 'SIGTERM');
    assert.equal(await withTimeout(`${role} to stop at SIGTERM`, 60_000, entry.exit), 0, entry.output.slice(-20).join('\n'));
  }
  assert.ok(roles.get('api')!.output.some((l) => l.includes('API stopping')));
});

test('nothing was written outside /tmp and /data: the root filesystem can be read-only', () => {
  const root = buildah(['mount', container]);
  try {
    const since = new Date(started - 1000);
    const written: string[] = [];
    const skip = new Set(['tmp', 'data', 'proc', 'sys', 'dev', 'run']);
    const walk = (dir: string, top: boolean) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (top && skip.has(entry.name)) continue;
        const full = path.join(dir, entry.name);
        const stat = fs.lstatSync(full);
        if (stat.mtime > since && !entry.isDirectory()) written.push(path.relative(root, full));
        if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full, false);
      }
    };
    walk(root, true);
    // buildah run itself writes these for each run (hosts, resolver, hostname): the runtime's, not Atelier's
    const runtime = new Set(['etc/hosts', 'etc/resolv.conf', 'etc/hostname']);
    assert.deepEqual(written.filter((f) => !runtime.has(f)), [], 'the roles wrote outside /tmp and /data');
  } finally {
    buildah(['umount', container]);
  }
});

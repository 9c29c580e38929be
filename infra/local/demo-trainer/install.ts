// Installs the demo trainer's Python packages into .tools/trainer-venv the first time a training needs them
// (`.ci/run` runs this file up front). One installer at a time per checkout (a lock folder); a stamp holds the hash
// of requirements.txt, so a changed pin installs again. About a minute and 1.3 GB: PyTorch (the CPU build), diffusers, peft.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_TRAINER_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(DEMO_TRAINER_DIR, '..', '..', '..');
export const DEMO_TRAINER_VENV = path.join(ROOT, '.tools', 'trainer-venv');
export const DEMO_TRAINER_PYTHON = path.join(DEMO_TRAINER_VENV, 'bin', 'python');
export const DEMO_TRAINER_RUN = path.join(DEMO_TRAINER_DIR, 'run.py');
const REQUIREMENTS = path.join(DEMO_TRAINER_DIR, 'requirements.txt');
const STAMP = path.join(DEMO_TRAINER_VENV, '.atelier-installed');
const LOCK = `${DEMO_TRAINER_VENV}.installing`;

export class TrainerInstallError extends Error {}

const requirementsHash = () => crypto.createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex');
export const demoTrainerInstalled = () => fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === requirementsHash();

function run(command: string, args: string[], onLine: (line: string) => void): Promise<{ code: number | null; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_PROGRESS_BAR: 'off' } });
    const tail: string[] = [];
    let partial = '';
    const take = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() && !/Location '.*' is ignored/.test(l))) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, tail }));
  });
}

function lockHolderAlive(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    if (!pid) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function takeLock(say: (m: string) => void): Promise<void> {
  for (let waited = 0; ; waited += 1000) {
    try {
      fs.mkdirSync(LOCK, { recursive: false });
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!lockHolderAlive()) { fs.rmSync(LOCK, { recursive: true, force: true }); continue; }
      if (waited % 15_000 === 0) say('another process is installing the demo trainer; waiting for it…');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Installs when needed; `say` gets a progress line now and then; returns the python to run run.py with. */
export async function ensureDemoTrainer(say: (message: string) => void = () => {}): Promise<string> {
  if (demoTrainerInstalled()) return DEMO_TRAINER_PYTHON;
  await takeLock(say);
  try {
    if (demoTrainerInstalled()) return DEMO_TRAINER_PYTHON;
    const started = Date.now();
    say('installing the demo LoRA trainer into .tools/trainer-venv (PyTorch CPU build, diffusers, peft; about a minute and 1.3 GB, once)…');
    if (!fs.existsSync(DEMO_TRAINER_PYTHON)) {
      const python = process.env.PYTHON ?? 'python3';
      const venv = await run(python, ['-m', 'venv', DEMO_TRAINER_VENV], () => {});
      if (venv.code !== 0) throw new TrainerInstallError(`could not create ${DEMO_TRAINER_VENV} with ${python} -m venv: ${venv.tail.join(' / ')}. Install Python 3 with venv, or set ATELIER_TRAINER_COMMAND to a trainer of your own`);
    }
    let lastSaid = 0;
    let phase = 'resolving packages';
    const result = await run(DEMO_TRAINER_PYTHON, ['-m', 'pip', 'install', '-r', REQUIREMENTS], (line) => {
      const match = /^(Collecting|Downloading|Installing collected packages|Successfully installed)\s*(\S*)/.exec(line.trim());
      if (match) phase = `${match[1]!.toLowerCase()} ${match[2] ?? ''}`.trim();
      if (Date.now() - lastSaid > 5000) {
        lastSaid = Date.now();
        say(`installing the demo trainer… ${Math.round((Date.now() - started) / 1000)} s (${phase.slice(0, 80)})`);
      }
    });
    if (result.code !== 0) throw new TrainerInstallError(`pip could not install the demo trainer's packages (${REQUIREMENTS}): ${result.tail.slice(-4).join(' / ')}`);
    fs.writeFileSync(STAMP, requirementsHash());
    say(`demo trainer installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return DEMO_TRAINER_PYTHON;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureDemoTrainer((message) => process.stdout.write(`atelier: ${message}\n`)).then(
    (python) => process.stdout.write(`atelier: demo trainer ready (${python})\n`),
    (error) => {
      process.stderr.write(`atelier: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}

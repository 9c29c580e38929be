// Builds the web UI when ui/dist is missing or older than its sources.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from './temporal-cli.ts';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

export async function ensureUiBuilt(say: (message: string) => void): Promise<void> {
  const ui = path.join(PROJECT_ROOT, 'ui');
  const index = path.join(ui, 'dist', 'index.html');
  if (!fs.existsSync(path.join(ui, 'index.html'))) return;
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newest(ui)) return;
  say('building the web UI…');
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(ui, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the web UI did not build (see the messages above)');
}

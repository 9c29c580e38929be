// Runs the `atelier` command against a test stack, as a person would from a terminal.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestStack } from './stack.ts';

const CLI = fileURLToPath(new URL('../../cli/atelier.js', import.meta.url));

export function atelierCli(stack: TestStack, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_TOKEN: '', ...env }, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

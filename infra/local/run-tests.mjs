#!/usr/bin/env node
// Runs the test files with node's test runner. Node 20 expands no globs, so the files are listed here.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suites = { unit: 'test/unit', integration: 'test/integration', e2e: 'test/e2e' };
const wanted = process.argv.slice(2).filter((a) => suites[a]);
const files = (wanted.length ? wanted : Object.keys(suites)).flatMap((suite) => {
  const dir = path.join(root, suites[suite]);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(suites[suite], f)) : [];
});
if (!files.length) {
  process.stderr.write('no test files found\n');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ATELIER_TEST_OUTPUT: path.join(root, 'test-output') } });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

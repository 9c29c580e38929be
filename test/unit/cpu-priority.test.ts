// The launcher's batch side at a lower CPU priority (infra/local/cpu-priority.ts), on real child processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSupervisor } from '../../infra/local/processes.ts';
import { cpuPriorityOf, lowerCpuPriority } from '../../infra/local/cpu-priority.ts';

// a Node.js child that starts a worker thread after it said it is ready: a thread born after the lowering
const CHILD = `
const { Worker } = require('node:worker_threads');
console.log('ready');
setTimeout(() => { new Worker('setInterval(() => {}, 1000)', { eval: true }); console.log('thread started'); }, 300);
setInterval(() => {}, 1000);
`;

const own = os.getPriority();

async function supervised(backgroundNice: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-priority-'));
  const lines: string[] = [];
  const supervisor = createSupervisor({ logDir: path.join(dir, 'logs'), runDir: path.join(dir, 'run'), backgroundNice, onLine: (name, line) => lines.push(`${name}: ${line}`) });
  const start = (name: string, background: boolean) => supervisor.start({ name, command: process.execPath, args: ['-e', CHILD], background, restart: true, ready: (line) => line === 'ready' });
  const threadStarted = async (name: string, from = 0) => {
    for (let waited = 0; !lines.slice(from).includes(`${name}: thread started`); waited += 50) {
      if (waited > 10_000) throw new Error(`${name} started no thread`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { supervisor, start, threadStarted, lines, close: async () => { await supervisor.stopAll(2000); fs.rmSync(dir, { recursive: true, force: true }); } };
}

test('a background child runs at the nice given, every thread of it (one started later too) and its session; again after a restart', async () => {
  const { supervisor, start, threadStarted, lines, close } = await supervised(10);
  try {
    const batch = await start('batch', true);
    const api = await start('api', false);
    await Promise.all([threadStarted('batch'), threadStarted('api')]);
    const lowered = cpuPriorityOf(batch.child!.pid!);
    assert.ok(lowered.threads.length >= 2, 'its threads are read');
    assert.deepEqual(new Set(lowered.threads), new Set([Math.max(10, own)]), 'every thread of the background child at nice 10');
    // under autogroup (a fresh session starts at 0) the session's nice is what counts between processes
    if (lowered.session !== undefined) assert.equal(lowered.session, 10);
    const untouched = cpuPriorityOf(api.child!.pid!);
    assert.deepEqual(new Set(untouched.threads), new Set([own]), 'the other child at the launcher\'s own priority');
    if (untouched.session !== undefined) assert.equal(untouched.session, 0);

    const before = lines.length;
    const firstPid = batch.child!.pid!;
    supervisor.kill('batch');
    for (let waited = 0; supervisor.get('batch')!.child!.pid === firstPid || !lines.slice(before).includes('batch: ready'); waited += 50) {
      assert.ok(waited < 15_000, 'the background child came back');
      await new Promise((r) => setTimeout(r, 50));
    }
    await threadStarted('batch', before);
    // the lowering runs as the restart starts: give it its turn
    await new Promise((r) => setTimeout(r, 300));
    const restarted = cpuPriorityOf(supervisor.get('batch')!.child!.pid!);
    assert.deepEqual(new Set(restarted.threads), new Set([Math.max(10, own)]), 'the restarted child is lowered too');
    if (restarted.session !== undefined) assert.equal(restarted.session, 10);
  } finally {
    await close();
  }
});

test('ATELIER_BACKGROUND_NICE=0: a background child runs at the launcher\'s own priority', async () => {
  const { start, threadStarted, close } = await supervised(0);
  try {
    const batch = await start('batch', true);
    await threadStarted('batch');
    const priority = cpuPriorityOf(batch.child!.pid!);
    assert.deepEqual(new Set(priority.threads), new Set([own]));
    if (priority.session !== undefined) assert.equal(priority.session, 0);
  } finally {
    await close();
  }
});

test('a process in the caller\'s own session gets its threads lowered, never the session it shares with the caller', async () => {
  const ours = cpuPriorityOf(process.pid).session;
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => child.once('spawn', resolve));
    assert.equal(await lowerCpuPriority(child.pid!, 12), undefined);
    assert.deepEqual(new Set(cpuPriorityOf(child.pid!).threads), new Set([Math.max(12, own)]));
    assert.equal(cpuPriorityOf(process.pid).session, ours, 'the caller\'s session keeps its nice');
    assert.equal(os.getPriority(), own, 'the caller keeps its priority');
  } finally {
    child.kill();
  }
});

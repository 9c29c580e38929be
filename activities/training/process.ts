// The trainer as an operating-system process: started in a process group of its own with its output going to a log
// file (so it never dies of a closed pipe and its output survives its worker), stopped with SIGINT, a grace period
// and SIGKILL of the whole group, and recorded in a file so a worker that starts after a crash ends what it left.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TrainerRecord { jobId: string; pid: number; startTime: string; workerPid: number; attempt: number; logFile: string; startedAt: string }

/** the kernel's start time of a process (field 22 of /proc/<pid>/stat): a pid reused by another process differs */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const alive = (record: Pick<TrainerRecord, 'pid' | 'startTime'>) => processStartTime(record.pid) === record.startTime;
const groupAlive = (pgid: number) => {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
};
const signalGroup = (pgid: number, signal: NodeJS.Signals) => {
  try { process.kill(-pgid, signal); } catch { /* gone */ }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line contains `marker` (the tests read the process table with it). */
export function processesMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((part) => part.includes(marker))) pids.push(Number(entry));
    } catch { /* ended meanwhile */ }
  }
  return pids;
}

/** SIGINT to the group, up to graceMs for it to save and leave, then SIGKILL to whatever of the group is left. */
export async function stopGroup(pgid: number, graceMs: number, leaderGone: () => boolean): Promise<'SIGINT' | 'SIGKILL'> {
  signalGroup(pgid, 'SIGINT');
  for (let waited = 0; waited < graceMs && !leaderGone(); waited += 100) await sleep(100);
  const how = leaderGone() ? 'SIGINT' : 'SIGKILL';
  signalGroup(pgid, 'SIGKILL');
  for (let waited = 0; waited < 10_000 && groupAlive(pgid); waited += 50) await sleep(50);
  return how;
}

export interface RunningTrainer {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(graceMs: number): Promise<'SIGINT' | 'SIGKILL'>;
}

export function startTrainer(options: { command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logFile: string; recordFile: string; jobId: string; attempt: number }): Promise<RunningTrainer> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  fs.mkdirSync(path.dirname(options.recordFile), { recursive: true });
  const fd = fs.openSync(options.logFile, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', fd, fd] });
    let ended = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => {
      ended = true;
      fs.rmSync(options.recordFile, { force: true });
      done({ code, signal });
    }));
    child.once('error', (error) => {
      fs.closeSync(fd);
      reject(new Error(`the trainer command could not start (${options.command}): ${error.message}`));
    });
    child.once('spawn', () => {
      fs.closeSync(fd);
      const pid = child.pid!;
      const record: TrainerRecord = { jobId: options.jobId, pid, startTime: processStartTime(pid) ?? '', workerPid: process.pid, attempt: options.attempt, logFile: options.logFile, startedAt: new Date().toISOString() };
      fs.writeFileSync(options.recordFile, JSON.stringify(record));
      resolve({ pid, exited, stop: (graceMs) => stopGroup(pid, graceMs, () => ended) });
    });
  });
}

/** Ends a trainer a stopped worker left running (its record names it); says what it found. */
export async function endRecordedTrainer(recordFile: string, graceMs: number): Promise<{ record: TrainerRecord; how: 'SIGINT' | 'SIGKILL' } | undefined> {
  let record: TrainerRecord;
  try { record = JSON.parse(fs.readFileSync(recordFile, 'utf8')); } catch { return undefined; }
  // a worker still running owns its trainer (two workers sharing one work folder)
  if (record.workerPid !== process.pid && processStartTime(record.workerPid) !== undefined && alive(record)) return undefined;
  try {
    if (!alive(record)) return undefined;
    const how = await stopGroup(record.pid, graceMs, () => !alive(record));
    return { record, how };
  } finally {
    fs.rmSync(recordFile, { force: true });
  }
}

/** At a worker's start: every trainer recorded in `dir` whose worker is gone is ended. */
export async function reapOrphanTrainers(dir: string, graceMs: number, onEnded: (record: TrainerRecord, how: 'SIGINT' | 'SIGKILL') => Promise<void> | void): Promise<number> {
  let ended = 0;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  await Promise.all(files.map(async (file) => {
    const result = await endRecordedTrainer(path.join(dir, file), graceMs);
    if (!result) return;
    ended += 1;
    await onEnded(result.record, result.how);
  }));
  return ended;
}

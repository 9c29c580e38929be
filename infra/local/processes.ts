// Child processes of the launcher: started, their output kept, restarted when they die, stopped in order.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { lowerCpuPriority } from './cpu-priority.ts';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** restart when it exits on its own (not when the supervisor stops it) */
  restart?: boolean;
  /** resolves start() when a line matches; otherwise start() resolves at spawn */
  ready?: (line: string) => boolean;
  readyTimeoutMs?: number;
  /** batch work nobody waits on from second to second: run at the supervisor's `backgroundNice` (cpu-priority.ts) */
  background?: boolean;
}

export interface Managed {
  spec: ProcessSpec;
  child?: ChildProcess;
  restarts: number;
  stopping: boolean;
  /** times it exited on its own, and how the last time */
  exits: number;
  lastExit?: string;
  /** its last lines of output, for a message when it fails */
  tail: string[];
}

const TAIL_LINES = 8;

/** The last lines of a child's output, indented, for a message that says why it failed. */
export function describeTail(entry: Managed | undefined): string {
  return entry?.tail.length ? `:\n  ${entry.tail.join('\n  ')}` : '';
}

export type LineSink = (name: string, line: string, stream: 'stdout' | 'stderr') => void;

export const TSX_ARGS = ['--import', 'tsx'];

/** A child left running by a launcher that was killed (same name, same program) is stopped before a new one starts. */
async function reapOrphan(pidFile: string, marker: string): Promise<void> {
  let pid: number;
  try { pid = Number(fs.readFileSync(pidFile, 'utf8')); } catch { return; }
  const alive = () => {
    try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker); } catch { return false; }
  };
  if (!pid || !alive()) return;
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  for (let waited = 0; alive() && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
}

/** what the command line of this child's process must contain: its script for a node child, else the program */
const orphanMarker = (spec: Pick<ProcessSpec, 'command' | 'args'>) => spec.args.find((a) => a.endsWith('.ts')) ?? spec.command;

export interface SupervisorOptions {
  logDir: string;
  runDir: string;
  onLine?: LineSink;
  onEvent?: (message: string) => void;
  /** the nice of `background` children (1–19); 0 or unset: every child at the launcher's own priority */
  backgroundNice?: number;
}

export function createSupervisor(options: SupervisorOptions) {
  const managed = new Map<string, Managed>();
  const say = options.onEvent ?? (() => {});
  const backgroundNice = options.backgroundNice ?? 0;
  // said once per child, not again at each restart
  const priorityProblems = new Set<string>();
  const lowerPriority = (spec: ProcessSpec, pid: number) => lowerCpuPriority(pid, backgroundNice).then((problem) => {
    if (!problem || priorityProblems.has(spec.name)) return;
    priorityProblems.add(spec.name);
    say(`${spec.name} runs at the same CPU priority as the API (its priority could not be lowered: ${problem}); set ATELIER_BACKGROUND_NICE=0 to not try`);
  });
  fs.mkdirSync(options.logDir, { recursive: true });
  fs.mkdirSync(options.runDir, { recursive: true });
  const pidFile = (name: string) => path.join(options.runDir, `${name}.pid`);

  async function launch(entry: Managed): Promise<void> {
    const { spec } = entry;
    await reapOrphan(pidFile(spec.name), orphanMarker(spec));
    const out = fs.createWriteStream(path.join(options.logDir, `${spec.name}.out.log`), { flags: 'a' });
    // a log that cannot be written (disk full, folder removed) must not take the launcher down
    out.on('error', (error) => say(`${spec.name}: its log file cannot be written (${error.message})`));
    // own process group: a terminal's Ctrl-C reaches only the launcher, which stops the children in order
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...process.env, ATELIER_SUPERVISED: '1', ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    entry.child = child;
    if (child.pid) fs.writeFileSync(pidFile(spec.name), String(child.pid));
    // spawn returns once the child has its own session (detached) and runs its program: its threads and its session
    // can be lowered now, and threads it starts later inherit that
    const lowered = child.pid && spec.background && backgroundNice > 0 ? lowerPriority(spec, child.pid) : Promise.resolve();
    let ready = !spec.ready;
    const started = new Promise<void>((resolve, reject) => {
      const logFile = path.join(options.logDir, spec.name + '.out.log');
      const timer = spec.ready ? setTimeout(() => reject(new Error(`${spec.name} did not get ready within ${(spec.readyTimeoutMs ?? 60_000) / 1000} s${describeTail(entry)}\n(its whole output: ${logFile})`)), spec.readyTimeoutMs ?? 60_000) : undefined;
      for (const [stream, source] of [['stdout', child.stdout!], ['stderr', child.stderr!]] as const) {
        readline.createInterface({ input: source }).on('line', (line) => {
          out.write(line + '\n');
          entry.tail.push(line);
          if (entry.tail.length > TAIL_LINES) entry.tail.shift();
          options.onLine?.(spec.name, line, stream);
          if (!ready && spec.ready!(line)) { ready = true; clearTimeout(timer); resolve(); }
        });
      }
      child.once('error', (error) => { clearTimeout(timer); reject(new Error(`${spec.name} could not start (${spec.command}): ${error.message}`)); });
      child.once('spawn', () => { if (ready) resolve(); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        out.end();
        if (entry.child === child) fs.rmSync(pidFile(spec.name), { force: true });
        // its last lines may still be in the pipe: let them arrive before quoting them
        if (!ready) setTimeout(() => reject(new Error(`${spec.name} exited before it was ready (${signal ?? `code ${code}`})${describeTail(entry)}\n(its whole output: ${logFile})`)), 100);
        if (entry.stopping || entry.child !== child) return;
        entry.exits += 1;
        entry.lastExit = signal ?? `code ${code}`;
        say(`${spec.name} exited (${signal ?? `code ${code}`})${spec.restart ? '; restarting' : ''}`);
        if (!spec.restart) return;
        entry.restarts += 1;
        const delay = Math.min(10_000, 500 * 2 ** Math.min(entry.restarts - 1, 5));
        setTimeout(() => {
          if (entry.stopping) return;
          launch(entry).then(() => say(`${spec.name} is back`)).catch((error) => say(`${spec.name} failed to restart: ${error.message}`));
        }, delay);
      });
    });
    // ready once its priority is what it will be (a child that dies first rejects without waiting for that)
    await started;
    await lowered;
  }

  return {
    async start(spec: ProcessSpec): Promise<Managed> {
      const entry: Managed = { spec, restarts: 0, stopping: false, exits: 0, tail: [] };
      managed.set(spec.name, entry);
      await launch(entry);
      return entry;
    },

    /** Stops what a killed launcher left of this child, so its port and files are free before choosing ports. */
    reap: (spec: Pick<ProcessSpec, 'name' | 'command' | 'args'>) => reapOrphan(pidFile(spec.name), orphanMarker(spec)),

    get(name: string): Managed | undefined {
      return managed.get(name);
    },

    /** every child, in the order started */
    list: (): Managed[] => [...managed.values()],

    /** Sends a signal to a running child (tests: SIGKILL mid-job); a restartable child comes back by itself unless told to stay down. */
    kill(name: string, signal: NodeJS.Signals = 'SIGKILL', options: { stayDown?: boolean } = {}): number | undefined {
      const entry = managed.get(name);
      if (entry && options.stayDown) entry.stopping = true;
      const child = entry?.child;
      const pid = child?.pid;
      child?.kill(signal);
      return pid;
    },

    /** Starts again a child that was stopped (or killed to stay down). */
    async relaunch(name: string): Promise<void> {
      const entry = managed.get(name);
      if (!entry) throw new Error(`no process named ${name}`);
      if (entry.child && entry.child.exitCode === null && entry.child.signalCode === null) return;
      entry.stopping = false;
      await launch(entry);
    },

    /** Waits until the named child has been restarted after the given pid died. */
    async waitForRestart(name: string, oldPid: number | undefined, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const child = managed.get(name)?.child;
        if (child?.pid && child.pid !== oldPid && child.exitCode === null) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${name} was not restarted within ${timeoutMs} ms`);
    },

    async stop(name: string, graceMs = 10_000): Promise<void> {
      const entry = managed.get(name);
      const child = entry?.child;
      if (!entry) return;
      entry.stopping = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },

    async stopAll(graceMs?: number): Promise<void> {
      for (const entry of managed.values()) entry.stopping = true;
      for (const name of [...managed.keys()].reverse()) await this.stop(name, graceMs);
    },
  };
}

export type Supervisor = ReturnType<typeof createSupervisor>;

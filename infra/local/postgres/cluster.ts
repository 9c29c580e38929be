// One PostgreSQL cluster run from the launcher: initdb once, then the server on a local port, as the postgres
// user when Atelier runs as root. Every failure (a program that cannot start, a cluster that will not open) is
// an EmbeddedPostgresError naming what failed, with PostgreSQL's own last words.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { RunAs } from './run-as.ts';
import { EmbeddedPostgresError } from './errors.ts';

const READY = 'database system is ready to accept connections';

function options(dir: string, user: RunAs | undefined): SpawnOptions {
  // the postgres user may not be allowed into the launcher's working folder: start it where its data is
  return { cwd: path.dirname(dir), env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], ...(user ? { uid: user.uid, gid: user.gid } : {}) };
}

function follow(child: ChildProcess, onLine: (line: string) => void): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 12) tail.shift();
      onLine(line);
    });
  }
  return tail;
}

const lastWords = (tail: string[]) => (tail.length ? `\n  ${tail.join('\n  ')}` : '');

export async function initCluster(bin: string, dir: string, user: RunAs | undefined, superuser: { name: string; password: string }, onLine: (line: string) => void): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) fs.chownSync(dir, user.uid, user.gid);
  // initdb reads the password from a file only its user can read, removed at once
  const pwfile = path.join(os.tmpdir(), `atelier-pg-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, superuser.password + '\n', { mode: 0o600 });
  if (user) fs.chownSync(pwfile, user.uid, user.gid);
  try {
    const child = spawn(path.join(bin, 'initdb'), ['-D', dir, '--auth=scram-sha-256', `--username=${superuser.name}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale', '--no-instructions'], options(dir, user));
    const tail = follow(child, onLine);
    await new Promise<void>((resolve, reject) => {
      child.once('error', (error) => reject(new EmbeddedPostgresError(`initdb could not start (${error.message})`)));
      child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new EmbeddedPostgresError(`initdb failed (${signal ?? `code ${code}`}) creating the database in ${dir}:${lastWords(tail)}`))));
    });
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export interface RunningCluster { pid: number; stop(): Promise<void> }

export async function startCluster(bin: string, dir: string, port: number, user: RunAs | undefined, onLine: (line: string) => void): Promise<RunningCluster> {
  // own process group: Ctrl-C reaches the launcher alone, which stops PostgreSQL last, after what uses it
  const child = spawn(path.join(bin, 'postgres'), ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'lc_messages=C'], { ...options(dir, user), detached: true });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => settle(new EmbeddedPostgresError(`PostgreSQL did not get ready within 60 s in ${dir}:${lastWords(tail)}`)), 60_000);
    // the first outcome counts; later calls do nothing
    const settle = (error?: Error) => { clearTimeout(timer); if (error) reject(error); else resolve(); };
    tail = follow(child, (line) => { onLine(line); if (line.includes(READY)) settle(); });
    child.once('error', (error) => settle(new EmbeddedPostgresError(`PostgreSQL could not start (${error.message})`)));
    child.once('close', (code, signal) => settle(new EmbeddedPostgresError(`PostgreSQL stopped as it started (${signal ?? `code ${code}`}), on the database in ${dir}:${lastWords(tail)}`)));
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT: PostgreSQL's fast shutdown (sessions ended, data written); SIGKILL only if it hangs
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

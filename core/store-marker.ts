// The artifact store's marker: an id written once into DATA_DIR and into the database's settings. Every process
// that writes the store checks that its DATA_DIR carries the database's id, so a GPU host that did not mount the
// shared store (the NFS volume in a cluster) refuses to start instead of writing images nobody can serve.
import type { Sql } from 'postgres';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MARKER_LOCK } from '../db/advisory-locks.ts';
import { placeAtomically } from './store.ts';

export const STORE_MARKER_FILE = 'atelier-store.json';
const SETTING = 'store.marker';

export class StoreMarkerError extends Error {}

export type StoreMarkerCheck = { status: 'ok'; id: string; created?: 'both' | 'database' } | { status: 'unmarked' };

function readMarkerFile(dataDir: string): string | undefined {
  const file = path.join(dataDir, STORE_MARKER_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreMarkerError(`the store marker ${file} cannot be read (${(error as NodeJS.ErrnoException).code}): fix its owner or mode`);
  }
  const id = (() => { try { return (JSON.parse(text) as { id?: unknown }).id; } catch { return undefined; } })();
  if (typeof id !== 'string' || !id) throw new StoreMarkerError(`the store marker ${file} is damaged: restore it from the shared store, or remove it if DATA_DIR holds no Atelier data`);
  return id;
}

async function writeMarkerFile(dataDir: string, id: string): Promise<void> {
  const marker = { id, createdAt: new Date().toISOString(), note: 'Atelier artifact store: every API, worker and GPU host must see this file in its DATA_DIR' };
  await placeAtomically(path.join(dataDir, STORE_MARKER_FILE), (temp) => fs.promises.writeFile(temp, JSON.stringify(marker, null, 2) + '\n'));
}

const mountAdvice = (dataDir: string) =>
  `mount the shared artifact store (the volume the API serves, the NFS export in a cluster) at DATA_DIR (${dataDir}) on this host, `
  + 'or set DATA_DIR to where it is mounted';

/**
 * Checks that DATA_DIR is the store this database belongs to. `claim`: a process that serves the store (API, main
 * worker) marks it when neither DATA_DIR nor the database has a marker yet (a first start), and when only DATA_DIR
 * has one or neither has one on an install from before markers (the database's id is then taken from DATA_DIR).
 * Processes that do not claim (GPU workers, which may run on other hosts) get `unmarked` and wait for one that does.
 */
export async function checkStoreMarker(sql: Sql, dataDir: string, options: { claim: boolean }): Promise<StoreMarkerCheck> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MARKER_LOCK})`;
    const [row] = await tx`SELECT value FROM settings WHERE key = ${SETTING}`;
    const inDatabase = row?.value as string | undefined;
    const inDataDir = readMarkerFile(dataDir);
    if (inDatabase && inDataDir === inDatabase) return { status: 'ok' as const, id: inDatabase };
    if (inDatabase && inDataDir) {
      throw new StoreMarkerError(`DATA_DIR ${dataDir} is another artifact store (marker ${inDataDir}) than the one this database serves (marker ${inDatabase}): ${mountAdvice(dataDir)}`);
    }
    if (inDatabase) {
      throw new StoreMarkerError(`DATA_DIR ${dataDir} is not the shared artifact store: it has no ${STORE_MARKER_FILE} while the database's store is marked ${inDatabase}. `
        + `Images written here could not be served: ${mountAdvice(dataDir)}. If this folder really is the store (restored from a backup), `
        + `write {"id":"${inDatabase}"} into ${path.join(dataDir, STORE_MARKER_FILE)}`);
    }
    if (!options.claim) return { status: 'unmarked' as const };
    const id = inDataDir ?? `store-${crypto.randomUUID()}`;
    if (!inDataDir) await writeMarkerFile(dataDir, id);
    await tx`INSERT INTO settings (key, value) VALUES (${SETTING}, ${id}) ON CONFLICT (key) DO NOTHING`;
    return { status: 'ok' as const, id, created: inDataDir ? 'database' as const : 'both' as const };
  });
}

/** A process that does not claim waits for one that does (the API or the main worker starting beside it). */
export async function awaitStoreMarker(sql: Sql, dataDir: string, options: { claim: boolean; waitMs: number; everyMs?: number }): Promise<StoreMarkerCheck & { status: 'ok' }> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const check = await checkStoreMarker(sql, dataDir, options);
    if (check.status === 'ok') return check;
    if (Date.now() >= deadline) {
      throw new StoreMarkerError(`the database has no artifact store marker yet, so DATA_DIR ${dataDir} cannot be checked: start the API or the main worker `
        + '(they mark the shared store on their first start), then this GPU worker');
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 1000));
  }
}

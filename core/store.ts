// The artifact store: DATA_DIR/jobs/<job id>/<kind>/<file>. The one module that turns ids into paths;
// a user-supplied name never becomes a path. Writes are atomic (temp file + rename).
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';

export const ASSET_KINDS = ['source', 'generations', 'masks', 'layers', 'samples', 'checkpoints', 'exports', 'sprites', 'dataset', 'logs'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class StorePathError extends Error {}

export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id) && !id.includes('..');
}

export function sha256(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export function assetIdFor(relativePath: string): string {
  return 'a_' + sha256(relativePath).slice(0, 24);
}

export function createStore(dataDir: string) {
  const root = path.resolve(dataDir);

  function relativeAssetPath(jobId: string, kind: AssetKind, fileName: string): string {
    if (!isSafeId(jobId)) throw new StorePathError(`job id "${jobId}" cannot name a folder`);
    if (!ASSET_KINDS.includes(kind)) throw new StorePathError(`unknown asset kind "${kind}"`);
    if (!SAFE_FILE.test(fileName) || fileName.includes('..')) throw new StorePathError(`"${fileName}" cannot name a file`);
    return path.posix.join('jobs', jobId, kind, fileName);
  }

  /** uploads are stored by content: the same file uploaded twice is one file */
  function relativeUploadPath(sha256: string, ext: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256) || !/^[a-z0-9]{2,5}$/.test(ext)) throw new StorePathError('bad upload name');
    return path.posix.join('uploads', sha256.slice(0, 2), `${sha256}.${ext}`);
  }

  function absolute(relativePath: string): string {
    const full = path.resolve(root, relativePath);
    if (!full.startsWith(root + path.sep)) throw new StorePathError('path leaves the data folder');
    return full;
  }

  async function writeAtomic(relativePath: string, bytes: Uint8Array): Promise<void> {
    await placeAtomically(absolute(relativePath), (temp) => fs.writeFile(temp, bytes));
  }

  return { root, relativeAssetPath, relativeUploadPath, absolute, writeAtomic, read: (rel: string) => fs.readFile(absolute(rel)) };
}

export type Store = ReturnType<typeof createStore>;

/** Writes `target` whole or not at all: `write` fills a temp file beside it, which is then renamed into place
 *  (a crash leaves at most a `.tmp` file, never half a target). */
export async function placeAtomically(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await write(temp);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

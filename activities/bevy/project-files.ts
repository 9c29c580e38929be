// The disk side of a deploy: the project folder resolved through symbolic links and checked against the roots
// again, folders made only inside its assets/, files written atomically (a temp file in the same folder, then a
// rename) so a running game's hot reload never reads half a PNG, and never through a symbolic link.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { checkProjectPath, DeployRefused, insideRoot } from '../../core/bevy-roots.ts';

export interface ProjectFolders { project: string; assets: string }

async function realpathOr(target: string, message: string): Promise<string> {
  try {
    return await fs.realpath(target);
  } catch {
    throw new DeployRefused(message);
  }
}

/** The project and its assets/ folder, real paths, both inside a registered root; assets/ is created when missing. */
export async function projectFolders(dir: string, roots: string[], create: boolean): Promise<ProjectFolders> {
  const lexical = checkProjectPath(dir, roots);
  const project = await realpathOr(lexical, `the project folder "${lexical}" does not exist: create the Bevy project first (cargo new my-game) or fix the path`);
  const realRoots = await Promise.all(roots.map((root) => fs.realpath(root).catch(() => root)));
  if (!realRoots.some((root) => insideRoot(project, root))) throw new DeployRefused(`"${lexical}" leads (through a symbolic link) to "${project}", outside the registered Bevy project roots: deploy into the real folder inside a root`);
  if (!(await fs.stat(project)).isDirectory()) throw new DeployRefused(`"${lexical}" is a file, not a folder: give the Bevy project folder`);
  try {
    await fs.access(path.join(project, 'Cargo.toml'));
  } catch {
    throw new DeployRefused(`"${lexical}" does not look like a Bevy project (it has no Cargo.toml): give the folder that holds the game's Cargo.toml`);
  }
  const assets = path.join(project, 'assets');
  const stat = await fs.lstat(assets).catch(() => null);
  if (!stat) {
    if (create) await fs.mkdir(assets);
    return { project, assets };
  }
  const realAssets = await fs.realpath(assets);
  if (!realRoots.some((root) => insideRoot(realAssets, root))) throw new DeployRefused(`${lexical}/assets is a link to "${realAssets}", outside the registered Bevy project roots: Atelier does not write there`);
  if (!(await fs.stat(realAssets)).isDirectory()) throw new DeployRefused(`${lexical}/assets is not a folder: move that file away`);
  return { project, assets: realAssets };
}

/** A folder directly under assets/; true when it was created now. A link leading out of assets/ is refused. */
export async function ensureAssetFolder(assets: string, name: string): Promise<boolean> {
  const folder = path.join(assets, name);
  const stat = await fs.lstat(folder).catch(() => null);
  if (!stat) {
    await fs.mkdir(folder);
    return true;
  }
  if (stat.isSymbolicLink()) {
    const real = await fs.realpath(folder).catch(() => '');
    if (!real || !insideRoot(real, assets)) throw new DeployRefused(`assets/${name} is a symbolic link leading out of assets/: Atelier does not write through it`);
  } else if (!stat.isDirectory()) throw new DeployRefused(`assets/${name} is a file, not a folder: move it away`);
  return false;
}

/** what is at a target now: nothing, a regular file (with its bytes' digest), or something Atelier never replaces */
export async function existing(file: string): Promise<{ kind: 'none' } | { kind: 'file'; sha256: string } | { kind: 'link' | 'other' }> {
  const stat = await fs.lstat(file).catch(() => null);
  if (!stat) return { kind: 'none' };
  if (stat.isSymbolicLink()) return { kind: 'link' };
  if (!stat.isFile()) return { kind: 'other' };
  return { kind: 'file', sha256: crypto.createHash('sha256').update(await fs.readFile(file)).digest('hex') };
}

export async function writeInPlace(file: string, bytes: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.atelier-${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, bytes, { flag: 'wx' });
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export class DeployBusy extends Error {}

/** One deploy at a time per project: a lock file in assets/ (a stale one, older than two minutes, is taken over). */
export async function withProjectLock<T>(assets: string, run: () => Promise<T>): Promise<T> {
  const lock = path.join(assets, '.atelier.lock');
  try {
    await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (await fs.stat(lock).then((s) => s.mtimeMs, () => Date.now()));
    if (age < 120_000) throw new DeployBusy('another deploy into this project is running: try again in a moment');
    await fs.rm(lock, { force: true });
    await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
  }
  try {
    return await run();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

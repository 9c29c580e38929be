// Which folders sprites may be written into: a Bevy project inside one of the roots the operator registered
// (ATELIER_BEVY_ROOTS). This is the check on the words of the path (the API answers with it at once); the deploy
// activity checks again on the disk, following symbolic links.
import path from 'node:path';

export class DeployRefused extends Error {}

export const NO_ROOTS = 'no Bevy project roots are registered: set ATELIER_BEVY_ROOTS to the folder(s) holding your games (comma-separated absolute paths), then restart Atelier';

export const insideRoot = (target: string, root: string) => target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** the project folder as an absolute path inside a registered root, or DeployRefused saying what to fix */
export function checkProjectPath(dir: string, roots: string[]): string {
  if (!roots.length) throw new DeployRefused(NO_ROOTS);
  if (/[\0\r\n]/.test(dir)) throw new DeployRefused('the project path holds control characters: give the folder of the Bevy project');
  if (!path.isAbsolute(dir)) throw new DeployRefused(`"${dir}" is not an absolute path: give the Bevy project folder as an absolute path (the CLI turns ./my-game into one)`);
  if (dir.split(/[\\/]+/).includes('..')) throw new DeployRefused(`"${dir}" contains "..": give the Bevy project folder without ".." in it`);
  const resolved = path.resolve(dir);
  if (!roots.some((root) => insideRoot(resolved, root))) {
    throw new DeployRefused(`"${resolved}" is outside the registered Bevy project roots (${roots.join(', ')}): deploy into a project inside one of them, or add its folder to ATELIER_BEVY_ROOTS`);
  }
  return resolved;
}

// The container image's entrypoint: the command names the role (`api`, `worker-main`, `worker-gpu --pool P`, `mcp`,
// `migrate`), whose program then runs in this same process, so the SIGTERM that tini passes on reaches it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findRole, roleUsage } from './roles.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const role = name ? findRole(name) : undefined;

if (!role) {
  process.stderr.write(`${name ? `unknown role "${name}"` : 'no role given'}: the command must be one of\n${roleUsage()}\n`);
  process.exit(2);
}
const program = path.join(root, role.entry);
if (!fs.existsSync(program)) {
  process.stderr.write(`the ${role.name} role's program (${role.entry}) is not part of this build: use an image built from a version that has it\n`);
  process.exit(2);
}
// the role's program reads its own arguments from process.argv, as when it is started directly
process.argv = [process.argv[0]!, program, ...args];
await import(pathToFileURL(program).href);

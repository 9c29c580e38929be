// The process roles (infra/roles.ts) and the image's entrypoint that picks one by its command (infra/run-role.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES, findRole } from '../../infra/roles.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runRole(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'infra', 'run-role.ts'), ...args], {
    cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ATELIER_SUPERVISED: '', ...env },
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

test('the roles: unique names, a program each, the lifetime and serving each workload needs', () => {
  assert.deepEqual(ROLES.map((r) => r.name), ['api', 'worker-main', 'worker-gpu', 'mcp', 'migrate']);
  for (const role of ROLES) {
    assert.equal(findRole(role.name), role);
    assert.ok(fs.existsSync(path.join(root, role.entry)), `${role.name}: ${role.entry} does not exist`);
    if (role.launcher !== 'once' && role.launcher !== 'per-pool') assert.ok(role.launcher.skip.length > 10, `${role.name}: say why npm start does not run it`);
    else assert.ok(role.ready, `${role.name}: the launcher needs its ready line`);
  }
  assert.equal(findRole('migrate')!.lifetime, 'job');
  assert.equal(findRole('worker-gpu')!.launcher, 'per-pool');
  assert.equal(findRole('api')!.serves?.probePath, '/api/health');
});

test('the entrypoint refuses a missing or unknown role, listing every role', () => {
  for (const args of [[], ['web']]) {
    const { status, output } = runRole(args);
    assert.equal(status, 2);
    assert.match(output, args.length ? /unknown role "web"/ : /no role given/);
    for (const role of ROLES) assert.match(output, new RegExp(`^  ${role.name}\\b`, 'm'));
  }
});

test("the entrypoint runs the role's program with the arguments after the role's name", () => {
  // the GPU worker reads --pool itself: an option it does not know reaches it and is refused by it
  const gpu = runRole(['worker-gpu', '--pool', 'demo', '--colour', 'blue']);
  assert.equal(gpu.status, 1);
  assert.match(gpu.output, /GPU worker stopped: Unknown option '--colour'/);
  // migrate loads the configuration first: a bad value is named
  const migrate = runRole(['migrate'], { TEMPORAL_TLS: 'maybe' });
  assert.equal(migrate.status, 2);
  assert.match(migrate.output, /TEMPORAL_TLS must be true or false/);
});

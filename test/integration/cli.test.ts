// The `atelier` command against a running stack: what a person types and reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { atelierCli } from '../support/cli.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack({ comfyStepMs: 20 }); });
after(async () => { await stack?.stop(); });

const atelier = (args: string[], env: Record<string, string> = {}) => atelierCli(stack, args, env);

test('generate --wait prints the paths of the images, which exist', async () => {
  const result = await atelier(['generate', 'a lighthouse at dusk', '--count', '2', '--size', '320x256', '--steps', '5', '--wait']);
  assert.equal(result.code, 0, result.stderr);
  const paths = result.stdout.split('\n').filter((l) => l.startsWith('/')).map((l) => l.split('  ')[0]!);
  assert.equal(paths.length, 2, result.stdout);
  for (const file of paths) assert.ok(fs.existsSync(file), file);
  assert.match(result.stdout, /\(320×256\)/);
  const id = /started (generate-\S+)/.exec(result.stdout)![1]!;
  const jobs = await atelier(['jobs']);
  assert.match(jobs.stdout, new RegExp(`${id}\\s+COMPLETED`));
  const job = await atelier(['job', id]);
  assert.match(job.stdout, /image-1\s+done/);
  const events = await atelier(['events', id]);
  assert.match(events.stdout, /job\.completed/);
});

test('pause, resume and cancel reach the job; a finished job says it has ended', async () => {
  const started = await atelier(['generate', 'to be cancelled', '--count', '4', '--steps', '60', '--size', '128x128']);
  const id = /started (generate-\S+)/.exec(started.stdout)![1]!;
  assert.equal((await atelier(['pause', id])).code, 0);
  assert.equal((await atelier(['resume', id])).code, 0);
  const cancel = await atelier(['cancel', id]);
  assert.equal(cancel.code, 0, cancel.stderr);
  for (let i = 0; i < 100 && !(await atelier(['job', id])).stdout.includes('CANCELLED'); i++) await new Promise((r) => setTimeout(r, 200));
  assert.match((await atelier(['job', id])).stdout, /CANCELLED/);
  const again = await atelier(['cancel', id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /has ended/);
});

test('wrong arguments, a wrong token and an unreachable API get a message, not a stack trace', async () => {
  const cases: [string[], Record<string, string>, RegExp, number][] = [
    [['generate', 'x', '--size', 'big'], {}, /--size must look like 1024x768/, 2],
    [['generate', 'x', '--count', '999'], {}, /--count must be a whole number from 1 to 500/, 2],
    [['generate'], {}, /generate needs a prompt/, 2],
    [['generate', 'x', '--colour', 'red'], {}, /Unknown option '--colour'/, 2],
    [['job'], {}, /job needs a job id/, 2],
    [['frobnicate'], {}, /unknown command "frobnicate"/, 2],
    [['job', 'nope'], {}, /no job "nope"/, 1],
    [['generate', 'x', '--pool', 'mars'], {}, /unknown GPU pool "mars"/, 1],
    [['jobs'], { ATELIER_TOKEN: 'wrong-token-wrong-token' }, /refused the token/, 1],
    [['jobs'], { ATELIER_URL: 'http://127.0.0.1:1' }, /cannot reach the Atelier API at http:\/\/127\.0\.0\.1:1/, 1],
    [['jobs'], { DATA_DIR: '/nonexistent' }, /no API token/, 1],
    [['generate', 'x', '--param', 'steps=many'], {}, /--param steps is a whole number; got "many"/, 2],
    [['generate', 'x', '--param', 'upscale=maybe'], {}, /--param upscale is a toggle: write upscale=true or upscale=false/, 2],
    [['generate', 'x', '--param', 'colour=red'], {}, /template "txt2img" has no parameter "colour"/, 1],
    [['debug-bundle'], {}, /debug-bundle needs a job id/, 2],
    [['debug-bundle', 'nope'], {}, /no job "nope"/, 1],
  ];
  for (const [args, env, message, code] of cases) {
    const result = await atelier(args, env);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.ok(!/\n\s+at /.test(result.stderr), `no stack trace for ${args.join(' ')}`);
  }
});

// The API refuses what it cannot do with a message that says what to fix, and nothing crashes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack(); });
after(async () => { await stack?.stop(); });

const expectError = async (response: Promise<{ status: number; body: any }>, status: number, message: RegExp) => {
  const { status: got, body } = await response;
  assert.equal(got, status, `status ${got}: ${JSON.stringify(body)}`);
  assert.equal(typeof body.error, 'string', 'a JSON {error}');
  assert.match(body.error, message);
  assert.ok(!/\n\s+at /.test(body.error), 'no stack trace');
};

test('health answers without a token and names the demo backend', async () => {
  const response = await fetch(`${stack.apiUrl}/api/health`);
  const body = await response.json() as any;
  assert.equal(response.status, 200);
  assert.equal(body.temporal.ok, true);
  assert.equal(body.database.ok, true);
  assert.equal(body.pools[0].name, 'demo');
  assert.equal(body.pools[0].comfyui.demo, true);
  assert.equal(body.pools[0].comfyui.ok, true);
});

test('no token or a wrong one is 401 with a message', async () => {
  const none = await fetch(`${stack.apiUrl}/api/jobs`);
  assert.equal(none.status, 401);
  assert.match((await none.json() as any).error, /no API token/);
  await expectError(stack.api('/api/jobs', { headers: { authorization: 'Bearer wrong-token' } }), 401, /wrong API token/);
});

test('the UI session cookie is httpOnly and SameSite=Strict and works in place of the header', async () => {
  const signIn = await fetch(`${stack.apiUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: stack.token }) });
  const cookie = signIn.headers.get('set-cookie') ?? '';
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  const jobs = await fetch(`${stack.apiUrl}/api/jobs`, { headers: { cookie: cookie.split(';')[0]! } });
  assert.equal(jobs.status, 200);
  const wrong = await fetch(`${stack.apiUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope' }) });
  assert.equal(wrong.status, 401);
});

test('bad generate input is refused with what to fix', async () => {
  await expectError(stack.api('/api/generate', { method: 'POST', body: '{"prompt": ', headers: { 'content-type': 'application/json' } }), 400, /not valid JSON/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', colour: 'red' } }), 400, /unknown field "colour"/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', pool: 'mars' } }), 400, /unknown GPU pool "mars": choose one of demo/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', width: -512 } }), 400, /width must be at least 64/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', height: 100000 } }), 400, /height must be at most 2048/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', width: 1001 } }), 400, /multiple of 8/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x'.repeat(10_000) } }), 400, /longer than 4000 characters/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: {} }), 400, /prompt is required/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: ['prompt'] }), 400, /JSON object/);
  await expectError(stack.api('/api/generate', { method: 'POST', body: 'prompt=a lighthouse', headers: { 'content-type': 'text/plain' } }), 400, /JSON object/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', seed: -1 } }), 400, /seed must be 0 or more/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', image: '../../etc/passwd' } }), 400, /image must be an asset id/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', template: 'nope' } }), 400, /no template "nope"/);
  await expectError(stack.api('/api/generate', { method: 'POST', json: { prompt: 'x', count: 'many' } }), 400, /count/);
  await expectError(stack.api('/api/generate', { method: 'POST', body: JSON.stringify({ prompt: 'x'.repeat(300_000) }), headers: { 'content-type': 'application/json' } }), 413, /larger than/);
});

test('unknown ids, traversal attempts and unknown routes are 4xx', async () => {
  await expectError(stack.api('/api/jobs/generate-does-not-exist'), 404, /no job "generate-does-not-exist"/);
  await expectError(stack.api('/api/jobs/..%2F..%2Fetc%2Fpasswd'), 400, /not a job id/);
  await expectError(stack.api('/api/jobs/..%2Fsecret/events.jsonl'), 400, /not a job id/);
  await expectError(stack.api('/api/assets/a_000000000000000000000000'), 404, /no asset/);
  await expectError(stack.api('/api/assets/..%2F..%2Fapi-token'), 400, /not an asset id/);
  await expectError(stack.api('/api/jobs/nope/cancel', { method: 'POST' }), 404, /no job "nope"/);
  await expectError(stack.api('/api/jobs?status=DONE'), 400, /status must be/);
  await expectError(stack.api('/api/jobs?limit=5000'), 400, /limit must be 1 to 200/);
  await expectError(stack.api('/api/jobs?cursor=garbage'), 400, /cursor/);
  await expectError(stack.api('/api/jobs?pipeline=generate&pipeline=scene'), 400, /pipeline must be/);
  await expectError(stack.api('/api/jobs?colour=red'), 400, /unknown field "colour"/);
  await expectError(stack.api('/api/nothing-here'), 404, /no route GET \/api\/nothing-here/);
  await expectError(stack.api('/api/jobs/x/events', { headers: { 'last-event-id': 'abc' } }), 400, /Last-Event-ID/);
});

test('after all that the API still serves, and every response carries a correlation id', async () => {
  const response = await stack.api('/api/jobs', { headers: { 'x-correlation-id': 'test-corr-1' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-correlation-id'), 'test-corr-1');
  const made = await stack.api('/api/jobs');
  assert.match(made.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(stack.supervisor.get('api')?.restarts, 0, 'the API never restarted');
});

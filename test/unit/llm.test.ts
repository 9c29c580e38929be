// The LLM client against the OpenAI stand-in over a real socket: JSON checked and repaired, fenced and chatty
// replies, response_format refused, rate limits waited out, refusals, streaming, images.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { startOpenAiStandin, type OpenAiStandin } from '../../infra/local/openai-standin/server.ts';
import { llmClient, LlmReplyError, LlmRefusalError, LlmConfigError } from '../../activities/llm.ts';
import { extractJson } from '../../activities/llm-json.ts';

let standin: OpenAiStandin;
const requests = () => fs.readFileSync(standin.requestsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const client = () => llmClient({ baseUrl: standin.url, apiKey: 'sk-test-key', model: 'llama3.1', visionModel: 'llava' });
const fault = (spec: Record<string, unknown>) => fetch(standin.url.replace('/v1', '/__standin/faults'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });

const Plan = z.object({ summary: z.string().min(1), steps: z.array(z.object({ id: z.string(), prompt: z.string(), weight: z.number().min(0).max(1) })).min(2).max(4) }).strict();
const planRequest = { schema: Plan, name: 'test_plan', system: 'You plan things.', user: 'Plan a lighthouse painting.' };

before(async () => { standin = await startOpenAiStandin({ port: 0, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openai-')) }); });
after(async () => { await standin.close(); });
beforeEach(async () => { await fetch(standin.url.replace('/v1', '/__standin/faults'), { method: 'DELETE' }); });

test('a JSON reply matches the schema it was asked for, and the same request gives the same reply', async () => {
  const first = await client().completeJson(planRequest);
  assert.ok(Plan.safeParse(first.value).success);
  assert.equal(first.attempts.length, 1);
  assert.deepEqual((await client().completeJson(planRequest)).value, first.value);
  const last = requests().at(-1);
  assert.equal(last.schema, 'test_plan');
  assert.equal(last.model, 'llama3.1');
});

test('a malformed reply is asked again with the problem, and the repaired one is used', async () => {
  await fault({ kind: 'malformed-json' });
  const notices: string[] = [];
  const result = await client().completeJson(planRequest, { onNotice: (m) => notices.push(m) });
  assert.equal(result.attempts.length, 2);
  assert.match(result.attempts[0]!.problem!, /not JSON/);
  assert.match(notices[0]!, /did not fit.*asking again/);
  assert.match(requests().at(-1).user, /could not be used: the reply is not JSON/, 'the second request carries the problem');
});

test('three malformed replies end in an error that says so in words', async () => {
  await fault({ kind: 'malformed-json', times: 3 });
  await assert.rejects(client().completeJson(planRequest), (error: unknown) => {
    assert.ok(error instanceof LlmReplyError);
    assert.match(error.message, /test plan did not fit the expected format after 3 tries: the reply is not JSON/);
    assert.equal(error.attempts.length, 3);
    return true;
  });
});

test('checks beyond the schema are repaired the same way', async () => {
  let calls = 0;
  const result = await client().completeJson({ ...planRequest, check: () => (calls++ === 0 ? ['step ids must be unique'] : []) });
  assert.equal(result.attempts.length, 2);
  assert.equal(result.attempts[0]!.problem, 'step ids must be unique');
});

test('JSON fenced in prose is found; a model that refuses response_format is asked without it', async () => {
  await fault({ kind: 'chatty' });
  assert.ok(Plan.safeParse((await client().completeJson(planRequest)).value).success);
  await fault({ kind: 'no-response-format', times: 0 });
  const notices: string[] = [];
  const result = await client().completeJson(planRequest, { onNotice: (m) => notices.push(m) });
  assert.ok(Plan.safeParse(result.value).success);
  assert.match(notices.join('\n'), /does not take response_format json_schema.*\n.*does not take response_format json_object/);
  assert.deepEqual(extractJson('Here you go:\n{"a": "b } c", "n": [1, {"x": 2}]} hope it helps {'), { a: 'b } c', n: [1, { x: 2 }] });
});

test('a 429 is waited out as its Retry-After asks, a 500 is retried', async () => {
  await fault({ kind: 'rate-limit', retryAfter: 1 });
  await fault({ kind: 'server-error' });
  const notices: string[] = [];
  let alive = 0;
  const result = await client().completeJson(planRequest, { onNotice: (m) => notices.push(m), onAlive: () => alive++ });
  assert.ok(result.value);
  assert.match(notices[0]!, /rate-limiting; trying again in 1 s \(as its Retry-After asks\)/);
  assert.match(notices[1]!, /answered 500/);
  assert.ok(alive >= 1, 'the caller was kept alive while waiting');
  assert.deepEqual(requests().slice(-3).map((r) => r.status), [429, 500, 200]);
});

test('a refusal, an unknown model and a missing key say what happened', async () => {
  await fault({ kind: 'refusal' });
  await assert.rejects(client().completeJson(planRequest), (e: unknown) => e instanceof LlmRefusalError && /refused to answer the test plan request/.test(e.message));
  await assert.rejects(client().completeJson({ ...planRequest, model: 'no-such-model' }), (e: unknown) => e instanceof LlmConfigError && /ATELIER_LLM_MODEL/.test(e.message));
  const noKey = await fetch(`${standin.url}/models`);
  assert.equal(noKey.status, 401);
});

test('a streamed reply arrives in pieces that join to the whole text; images reach the vision model', async () => {
  const pieces: string[] = [];
  const text = await client().streamText({ system: 'You write.', user: 'Write about a quiet harbour at night.' }, (delta) => pieces.push(delta));
  assert.ok(pieces.length > 3);
  assert.equal(pieces.join(''), text);
  const image = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#2050d0' } }).png().toBuffer();
  const caption = await client().completeText({ system: 'Caption the image.', user: 'Describe it.', images: [image] });
  assert.match(caption, /wide picture in blue/);
  assert.deepEqual([requests().at(-1).model, requests().at(-1).images], ['llava', 1]);
});

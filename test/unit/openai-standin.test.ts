// The OpenAI stand-in, driven by the official openai SDK and by raw HTTP: the shapes a real client reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import OpenAI, { toFile, BadRequestError, NotFoundError } from 'openai';
import { startOpenAiStandin, type OpenAiStandin } from '../../infra/local/openai-standin/server.ts';

let standin: OpenAiStandin;
let openai: OpenAI;
before(async () => {
  standin = await startOpenAiStandin({ port: 0, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openai-')), models: ['llama3.1', 'llava', 'gpt-image-1'] });
  openai = new OpenAI({ baseURL: standin.url, apiKey: 'sk-test', maxRetries: 0 });
});
after(async () => { await standin.close(); });

test('models are listed as the API lists them', async () => {
  const ids = [];
  for await (const model of openai.models.list()) ids.push(model.id);
  assert.deepEqual(ids, ['llama3.1', 'llava', 'gpt-image-1']);
  await assert.rejects(openai.models.retrieve('gpt-9'), NotFoundError);
});

test('a completion carries id, object, choices with message and finish_reason, and usage', async () => {
  const completion = await openai.chat.completions.create({ model: 'llama3.1', messages: [{ role: 'user', content: 'Say something about tea.' }] });
  assert.match(completion.id, /^chatcmpl-/);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0]!.finish_reason, 'stop');
  assert.equal(completion.choices[0]!.message.role, 'assistant');
  assert.equal(completion.choices[0]!.message.refusal, null);
  assert.ok(completion.usage!.total_tokens === completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  await assert.rejects(openai.chat.completions.create({ model: 'llama3.1', messages: [] }), (e: unknown) => e instanceof BadRequestError && /messages/.test(e.message));
});

test('a stream is SSE: a role chunk, content deltas, a finish chunk, a usage chunk, then [DONE]', async () => {
  const response = await fetch(`${standin.url}/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'A short poem about rain.' }] }),
  });
  assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
  const events = (await response.text()).split('\n\n').filter(Boolean);
  assert.equal(events.at(-1), 'data: [DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.ok(chunks.at(-1).usage.total_tokens > 0);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'other chunks carry usage: null');

  let text = '';
  const stream = await openai.chat.completions.create({ model: 'llama3.1', stream: true, messages: [{ role: 'user', content: 'A short poem about rain.' }] });
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'the SDK reads the same text');
});

test('an image edit with a mask repaints only the transparent part of the mask', async () => {
  const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#ffffff' } }).composite([{ input: { create: { width: 20, height: 20, channels: 3, background: '#c02020' } }, left: 10, top: 10 }]).png().toBuffer();
  const maskPixels = Buffer.alloc(64 * 48 * 4, 255);
  for (let y = 0; y < 48; y++) for (let x = 40; x < 64; x++) maskPixels[(y * 64 + x) * 4 + 3] = 0;
  const mask = await sharp(maskPixels, { raw: { width: 64, height: 48, channels: 4 } }).png().toBuffer();
  const result = await openai.images.edit({ model: 'gpt-image-1', image: await toFile(image, 'image.png', { type: 'image/png' }), mask: await toFile(mask, 'mask.png', { type: 'image/png' }), prompt: 'a blue kite in the sky' });
  const edited = Buffer.from(result.data![0]!.b64_json!, 'base64');
  const before = await sharp(image).ensureAlpha().raw().toBuffer();
  const after = await sharp(edited).ensureAlpha().raw().toBuffer();
  assert.deepEqual((await sharp(edited).metadata()).width, 64);
  let changedOutside = 0, changedInside = 0;
  for (let p = 0; p < 64 * 48; p++) {
    const differs = [0, 1, 2].some((c) => before[p * 4 + c] !== after[p * 4 + c]);
    if ((p % 64) >= 40) changedInside += differs ? 1 : 0; else changedOutside += differs ? 1 : 0;
  }
  assert.equal(changedOutside, 0, 'outside the mask nothing moved');
  assert.equal(changedInside, 24 * 48, 'inside the mask everything was repainted');

  const smallMask = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  await assert.rejects(openai.images.edit({ model: 'gpt-image-1', image: await toFile(image, 'image.png'), mask: await toFile(smallMask, 'mask.png'), prompt: 'x' }), (e: unknown) => e instanceof BadRequestError && /same dimensions/.test(e.message));
  const log = fs.readFileSync(standin.requestsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.route === 'images.edits');
  assert.equal(log[0].prompt, 'a blue kite in the sky');
  assert.match(log[0].mask, /^[0-9a-f]{64}$/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactSecrets } from '../../core/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { lines, stream };
}

test('secrets are redacted wherever they appear in a line', async () => {
  const { lines, stream } = capture();
  const logger = createLogger({ service: 'test', stream });
  logger.info({ headers: { authorization: 'Bearer abc.def' }, url: 'http://x/?token=s3cr3t&a=1', note: 'key sk-abcdefghijklmnop and hf_ABCDEFGHIJKLMN', dsn: 'postgres://u:pw123@h/db' }, 'calling with password=hunter2');
  logger.info({ apiKey: 'plain-value-here' }, 'object key');
  await new Promise((r) => setImmediate(r));
  const text = lines.join('');
  for (const secret of ['abc.def', 's3cr3t', 'sk-abcdefghijklmnop', 'hf_ABCDEFGHIJKLMN', 'pw123', 'hunter2', 'plain-value-here']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /"service":"test"/);
  assert.match(text, /a=1/, 'non-secret parts stay');
});

test('redactSecrets leaves ordinary text alone', () => {
  assert.equal(redactSecrets('a lighthouse at dusk, skies'), 'a lighthouse at dusk, skies');
  assert.equal(redactSecrets('Authorization: Bearer xyz'), 'Authorization: Bearer [redacted]');
});

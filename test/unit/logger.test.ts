import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

test('a service with a process per host writes one file per host, with host on every line', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logger-'));
  try {
    for (const host of ['gpu-a', 'gpu-b']) createLogger({ service: 'worker-gpu-demo', host, dataDir }).info({ jobId: 'j1' }, `hello from ${host}`);
    const folder = path.join(dataDir, 'logs', 'worker-gpu-demo');
    assert.deepEqual(fs.readdirSync(folder).sort(), ['gpu-a.log', 'gpu-b.log']);
    for (const host of ['gpu-a', 'gpu-b']) {
      const [line] = fs.readFileSync(path.join(folder, `${host}.log`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.deepEqual([line.service, line.host, line.msg], ['worker-gpu-demo', host, `hello from ${host}`]);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// POST /api/uploads: real images become assets; anything else is refused with the file named, and nothing stays on disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import crypto from 'node:crypto';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { pngClaiming, solidPng } from '../support/images.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack({ env: { ATELIER_UPLOAD_MAX_BYTES: '400000' } }); });
after(async () => { await stack?.stop(); });

type Part = { name: string; bytes: Buffer; type?: string };
const upload = (...parts: Part[]) => {
  const form = new FormData();
  for (const part of parts) form.append('files', new Blob([new Uint8Array(part.bytes)], { type: part.type ?? 'image/png' }), part.name);
  return stack.api('/api/uploads', { method: 'POST', body: form });
};

/** every file under DATA_DIR/uploads and DATA_DIR/tmp */
function filesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) entry.isDirectory() ? walk(path.join(dir, entry.name)) : out.push(path.relative(stack.dataDir, path.join(dir, entry.name)));
  };
  walk(path.join(stack.dataDir, 'uploads'));
  walk(path.join(stack.dataDir, 'tmp'));
  return out.sort();
}

async function refused(parts: Part[], status: number, message: RegExp) {
  const before = filesOnDisk();
  const assetsBefore = (await stack.sql`SELECT count(*)::int AS n FROM assets`)[0]!.n;
  const response = await upload(...parts);
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.body.error, message);
  assert.ok(!/\n\s+at /.test(response.body.error), 'no stack trace');
  assert.deepEqual(filesOnDisk(), before, `nothing stays on disk (${parts.map((p) => p.name).join(', ')})`);
  assert.equal((await stack.sql`SELECT count(*)::int AS n FROM assets`)[0]!.n, assetsBefore, 'no asset recorded');
}

test('PNG, JPEG and WebP become assets; the same file twice is one asset; the bytes come back as sent', async () => {
  const png = await solidPng(320, 200);
  const jpeg = await sharp(png).jpeg().toBuffer();
  const webp = await sharp(png).webp().toBuffer();
  const response = await upload({ name: 'a.png', bytes: png }, { name: 'b.jpg', bytes: jpeg, type: 'image/jpeg' }, { name: 'c.webp', bytes: webp, type: 'image/webp' });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  const { uploads } = response.body;
  assert.deepEqual(uploads.map((u: any) => [u.name, u.mime, u.width, u.height, u.duplicate]), [['a.png', 'image/png', 320, 200, false], ['b.jpg', 'image/jpeg', 320, 200, false], ['c.webp', 'image/webp', 320, 200, false]]);
  for (const u of uploads) assert.match(u.id, /^a_[0-9a-f]{24}$/);
  const served = Buffer.from(await (await fetch(stack.apiUrl + uploads[0].url, { headers: { authorization: `Bearer ${stack.token}` } })).arrayBuffer());
  assert.deepEqual(served, png);
  const again = await upload({ name: 'renamed.png', bytes: png });
  assert.equal(again.body.uploads[0].id, uploads[0].id);
  assert.equal(again.body.uploads[0].duplicate, true);
  const [row] = await stack.sql`SELECT job_id, kind, relative_path FROM assets WHERE id = ${uploads[0].id}`;
  assert.equal(row!.job_id, null);
  assert.equal(row!.kind, 'upload');
  assert.match(row!.relative_path, /^uploads\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/, 'stored by content, never by the client name');
  assert.deepEqual(filesOnDisk().filter((f) => f.startsWith('tmp')), []);
});

test('a file name with ../ is only a label: the file is stored inside the data folder under its hash', async () => {
  const response = await upload({ name: '../../etc/evil.png', bytes: await solidPng(64, 64, '#ff0000') });
  assert.equal(response.status, 201);
  assert.equal(response.body.uploads[0].name, 'evil.png');
  assert.ok(!fs.existsSync(path.join(stack.dataDir, '..', 'etc')));
  const [row] = await stack.sql`SELECT relative_path, meta FROM assets WHERE id = ${response.body.uploads[0].id}`;
  assert.match(row!.relative_path, /^uploads\//);
});

test('bad files are refused with the file named and the reason', async () => {
  const png = await solidPng(200, 200);
  await refused([{ name: 'cut.png', bytes: png.subarray(0, Math.floor(png.length / 2)) }], 400, /"cut.png" is damaged or cut short/);
  await refused([{ name: 'empty.png', bytes: Buffer.alloc(0) }], 415, /"empty.png" is not an image Atelier can read/);
  await refused([{ name: 'notes.png', bytes: Buffer.from('just some text, not a picture\n'.repeat(20)) }], 415, /"notes.png" is not an image/);
  await refused([{ name: 'logo.svg', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>'), type: 'image/svg+xml' }], 415, /"logo.svg" is an SVG drawing: export it as PNG/);
  await refused([{ name: 'bomb.png', bytes: pngClaiming(30000, 30000) }], 413, /"bomb.png" is 30000 × 30000 pixels, more than the limit of 50,000,000 pixels/);
  const noise = await sharp(crypto.randomBytes(400 * 400 * 3), { raw: { width: 400, height: 400, channels: 3 } }).png().toBuffer();
  await refused([{ name: 'huge.png', bytes: noise }], 413, /"huge.png" is larger than the 0.4 MiB limit \(ATELIER_UPLOAD_MAX_BYTES\)/);
});

test('one bad file among good ones: nothing is stored, and the answer says which to send again', async () => {
  await refused([{ name: 'good.png', bytes: await solidPng(90, 90, '#00ff00') }, { name: 'bad.png', bytes: Buffer.from('nope') }], 415, /"bad.png" is not an image.*Nothing was stored: send the 1 good file again/);
});

test('requests that are not uploads say how to send one', async () => {
  const json = await stack.api('/api/uploads', { method: 'POST', json: { file: 'x' } });
  assert.equal(json.status, 415);
  assert.match(json.body.error, /multipart\/form-data/);
  const form = new FormData();
  form.append('note', 'no file here');
  const empty = await stack.api('/api/uploads', { method: 'POST', body: form });
  assert.equal(empty.status, 400);
  assert.match(empty.body.error, /no file in the upload/);
});

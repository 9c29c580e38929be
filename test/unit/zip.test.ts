import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipBuffer } from '../../core/zip.ts';
import { readZip } from '../support/zip.ts';

test('entries keep their order, bytes and compression; the same entries give the same archive', async () => {
  const entries = [
    { name: 'mimetype', data: 'image/openraster', store: true },
    { name: 'data/layer.bin', data: Buffer.alloc(5000, 7) },
  ];
  const zip = await zipBuffer(entries);
  const read = await readZip(zip);
  assert.deepEqual(read.map((e) => [e.name, e.compressionMethod]), [['mimetype', 0], ['data/layer.bin', 8]]);
  assert.equal(read[0]!.data.toString(), 'image/openraster');
  assert.deepEqual(read[1]!.data, Buffer.alloc(5000, 7));
  assert.deepEqual(await zipBuffer(entries), zip, 'deterministic');
  // the stored first entry's name and bytes sit at fixed offsets, as OpenRaster readers expect
  assert.equal(zip.subarray(30, 38).toString(), 'mimetype');
  assert.equal(zip.subarray(38, 54).toString(), 'image/openraster');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zip-')), 'a.zip');
  fs.writeFileSync(file, zip);
  assert.match(execFileSync('python3', ['-m', 'zipfile', '-t', file], { encoding: 'utf8' }), /Done testing/);
});

test('names that would leave the archive folder, or repeat, are refused', async () => {
  for (const name of ['../x', '/etc/passwd', 'a/../../b', 'a\\b', '', 'a//b']) {
    await assert.rejects(zipBuffer([{ name, data: 'x' }]), /cannot name a file/, name);
  }
  await assert.rejects(zipBuffer([{ name: 'a', data: 'x' }, { name: 'a', data: 'y' }]), /twice/);
});

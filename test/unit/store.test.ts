import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore, assetIdFor } from '../../core/store.ts';

test('paths are built from ids, never from user names, and stay inside DATA_DIR', async () => {
  const store = createStore(fs.mkdtempSync(path.join(os.tmpdir(), 'store-')));
  assert.equal(store.relativeAssetPath('generate-1', 'generations', 'image-1-1.png'), 'jobs/generate-1/generations/image-1-1.png');
  assert.throws(() => store.relativeAssetPath('../etc', 'generations', 'x.png'), /cannot name a folder/);
  assert.throws(() => store.relativeAssetPath('job', 'generations', '../../x.png'), /cannot name a file/);
  assert.throws(() => store.relativeAssetPath('job', 'nope' as never, 'x.png'), /unknown asset kind/);
  assert.throws(() => store.absolute('../outside'), /leaves the data folder/);
  await store.writeAtomic('jobs/j/generations/a.png', Buffer.from('png'));
  assert.equal(fs.readFileSync(store.absolute('jobs/j/generations/a.png'), 'utf8'), 'png');
  assert.deepEqual(fs.readdirSync(path.dirname(store.absolute('jobs/j/generations/a.png'))), ['a.png'], 'no temp file left');
  assert.equal(assetIdFor('jobs/j/generations/a.png'), assetIdFor('jobs/j/generations/a.png'));
  assert.match(assetIdFor('x'), /^a_[0-9a-f]{24}$/);
});

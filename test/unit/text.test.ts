import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStorableText, cleanText } from '../../core/text.ts';

test('text PostgreSQL cannot store is refused naming the field, in the order the fields came', () => {
  assert.doesNotThrow(() => assertStorableText({ prompt: 'a lighthouse 🌊 at dusk', params: { tags: ['ok', 'fine'] }, n: 3 }));
  assert.throws(() => assertStorableText({ prompt: 'a\u0000b' }), /^Error: prompt holds a NUL character \(\\u0000\), which cannot be stored: remove it$/);
  assert.throws(() => assertStorableText({ ok: 'x', params: { style: 'x', tags: ['a', 'b\u0000'] }, later: '\u0000' }), /^Error: params\.tags\[1\] holds a NUL/);
  assert.throws(() => assertStorableText({ prompt: 'half a surrogate \uD83D' }), /prompt holds a lone UTF-16 surrogate \(\\uD83D\)/);
  assert.throws(() => assertStorableText({ 'pro\u0000mpt': 'x' }), /a field name in the input \("pro\\u0000mpt"\) holds a NUL/);
  assert.throws(() => assertStorableText('\u0000', 'the request body'), /the request body holds a NUL/);
  assert.throws(() => assertStorableText({ q: '\u0000' }, 'the query', 'query'), /query\.q holds a NUL/);
  let deep: unknown = 'x';
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.throws(() => assertStorableText(deep), /nested more than 64 levels/);
});

test('cleanText replaces what cannot be stored and keeps the rest', () => {
  assert.deepEqual(cleanText({ prompt: 'a\u0000b', list: ['\uD83D', '🌊'], n: 1, 'k\u0000': null }), { prompt: 'a\uFFFDb', list: ['\uFFFD', '🌊'], n: 1, 'k\uFFFD': null });
});

test('cleanText leaves what is not plain data as it is', () => {
  const when = new Date(0);
  const cleaned = cleanText({ when, bytes: Buffer.from('a'), note: 'x\u0000' });
  assert.equal(cleaned.when, when);
  assert.ok(Buffer.isBuffer(cleaned.bytes));
  assert.equal(cleaned.note, 'x\uFFFD');
});

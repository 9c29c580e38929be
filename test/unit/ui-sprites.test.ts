// The sprites page's form (what it sends, what it refuses), sprite counts, sheet frame offsets and job links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSpritesForm, frameOffset, imageCount, jobPage, promptLines, spriteCounts, spritesProblems, spritesRequest } from '../../ui/src/lib/sprites.ts';
import { spritesInputSchema } from '../../core/sprites-input.ts';

test('the form becomes a body the API accepts: one prompt a line, categories by prefix, style defaults left out', () => {
  const form = { ...defaultSpritesForm(), prompts: 'a medieval knight\n\n# props\nTile: mossy stone\n  a potion  ', project: 'castle', palette: 'pico8' as const };
  assert.deepEqual(promptLines(form.prompts), ['a medieval knight', { prompt: 'mossy stone', category: 'tile' }, 'a potion']);
  const body = spritesRequest(form);
  assert.deepEqual(body, { prompts: ['a medieval knight', { prompt: 'mossy stone', category: 'tile' }, 'a potion'], category: 'character', style: '16bit', variants: 4, palette: 'pico8', outline: false, review: true, project: 'castle' });
  assert.ok(spritesInputSchema.safeParse(body).success);
  const custom = spritesRequest({ ...form, palette: 'auto', colours: 12, size: 48, frames: 4 });
  assert.deepEqual([custom.colours, custom.size, custom.frames], [12, 48, 4]);
  assert.ok(spritesInputSchema.safeParse(custom).success);
  assert.equal(spritesRequest({ ...form, palette: 'upload', uploadedPalette: { id: 'a_0123456789abcdef01234567', name: 'p.png' } }).palette, 'a_0123456789abcdef01234567');
  assert.equal(imageCount({ ...form, frames: 4 }), 3 * 4 * 4);
});

test('the form says what to fix before sending', () => {
  const form = defaultSpritesForm();
  assert.match(spritesProblems(form).prompts!, /at least one sprite/);
  assert.match(spritesProblems({ ...form, prompts: 'x\n'.repeat(65) }).prompts!, /At most 64/);
  assert.match(spritesProblems({ ...form, prompts: 'a\nb\nc\nd\ne', variants: 8, frames: 8 }).prompts!, /320 images/);
  assert.match(spritesProblems({ ...form, prompts: 'x', frames: 0 }).frames!, /1 to 16/);
  assert.match(spritesProblems({ ...form, prompts: 'x', palette: 'upload' }).palette!, /Upload a palette PNG/);
  assert.match(spritesProblems({ ...form, prompts: 'x', colours: 1 }).colours!, /2 to 256/);
  assert.match(spritesProblems({ ...form, prompts: 'x', project: '../etc' }).project!, /short name/);
  assert.deepEqual(spritesProblems({ ...form, prompts: 'x' }), {});
});

test('counts, sheet frames and links', () => {
  const sprite = (status: string) => ({ status }) as never;
  assert.deepEqual(spriteCounts([sprite('generating'), sprite('pending'), sprite('awaiting-review'), sprite('kept'), sprite('kept'), sprite('discarded')]), { making: 2, waiting: 1, kept: 2, discarded: 1, total: 6 });
  const atlas = { tileSize: [16, 16] as [number, number], columns: 3, rows: 2, padding: null, offset: null, frames: 5 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => frameOffset(atlas, i)), [{ x: 0, y: 0 }, { x: 16, y: 0 }, { x: 32, y: 0 }, { x: 0, y: 16 }, { x: 16, y: 16 }, { x: 0, y: 0 }]);
  assert.equal(jobPage({ id: 'sprites-1', pipeline: 'sprites' }), '/sprites/sprites-1');
  assert.equal(jobPage({ id: 'generate 1', pipeline: 'generate' }), '/jobs/generate%201');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ASPECT_PRESETS, MAX_SIDE, MIN_SIDE, TARGET_PIXELS, aspectPreset, megapixels, sizeForRatio, snapSide } from '../../ui/src/lib/aspect.ts';

test('the seven presets are the ratios the generate page offers', () => {
  assert.deepEqual(ASPECT_PRESETS.map((p) => p.id), ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3']);
});

test('every preset is near one megapixel, sides multiples of 8 within 64..2048, shape within 1% of its ratio', () => {
  for (const preset of ASPECT_PRESETS) {
    const [across, down] = preset.id.split(':').map(Number) as [number, number];
    for (const side of [preset.width, preset.height]) {
      assert.equal(side % 8, 0, `${preset.id}: ${side} is not a multiple of 8`);
      assert.ok(side >= MIN_SIDE && side <= MAX_SIDE, `${preset.id}: ${side} out of range`);
    }
    assert.ok(Math.abs(preset.width * preset.height - TARGET_PIXELS) / TARGET_PIXELS < 0.03, `${preset.id}: ${preset.width}×${preset.height} is not ~1 MP`);
    assert.ok(Math.abs(preset.width / preset.height / (across / down) - 1) < 0.01, `${preset.id}: ${preset.width}×${preset.height} is off-ratio`);
  }
});

test('square is 1024 × 1024 and portrait presets are their landscape twins turned', () => {
  assert.deepEqual(sizeForRatio(1, 1), { width: 1024, height: 1024 });
  assert.deepEqual(sizeForRatio(16, 9), { width: 1368, height: 768 });
  for (const [wide, tall] of [['4:3', '3:4'], ['16:9', '9:16'], ['3:2', '2:3']] as const) {
    assert.deepEqual({ width: aspectPreset(tall).width, height: aspectPreset(tall).height }, { width: aspectPreset(wide).height, height: aspectPreset(wide).width });
  }
});

test('extreme ratios and sizes are clamped to what the API accepts', () => {
  assert.deepEqual(sizeForRatio(100, 1), { width: MAX_SIDE, height: 104 });
  assert.equal(snapSide(10), MIN_SIDE);
  assert.equal(snapSide(5000), MAX_SIDE);
  assert.equal(snapSide(1183), 1184);
  assert.throws(() => sizeForRatio(0, 1), /positive/);
});

test('an unknown preset id falls back to square; megapixels read like "1.0 MP"', () => {
  assert.equal(aspectPreset('7:5').id, '1:1');
  assert.equal(megapixels({ width: 1024, height: 1024 }), '1.0 MP');
});

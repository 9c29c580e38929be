import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUALITY_TIERS, qualityOf, samplingFor } from '../../ui/src/lib/quality.ts';
import { defaultForm, formProblems, generateRequest } from '../../ui/src/lib/generate-form.ts';
import { SAMPLER_NAMES, SCHEDULER_NAMES, MAX_SEED, randomSeed } from '../../ui/src/lib/sampling.ts';

test('quality tiers go Draft → Standard → High with more steps each, using samplers the API accepts', () => {
  assert.deepEqual(QUALITY_TIERS.map((t) => t.label), ['Draft', 'Standard', 'High']);
  const steps = QUALITY_TIERS.map((t) => t.steps);
  assert.deepEqual([...steps].sort((a, b) => a - b), steps);
  assert.equal(new Set(steps).size, 3);
  for (const tier of QUALITY_TIERS) {
    assert.ok(SAMPLER_NAMES.includes(tier.sampler));
    assert.ok(SCHEDULER_NAMES.includes(tier.scheduler));
  }
  assert.deepEqual(samplingFor('standard'), { steps: 20, sampler: 'dpmpp_2m', scheduler: 'karras' });
});

test('settings that match a tier are that tier; anything edited by hand is custom', () => {
  for (const tier of QUALITY_TIERS) assert.equal(qualityOf(samplingFor(tier.id)), tier.id);
  assert.equal(qualityOf({ ...samplingFor('high'), steps: 41 }), 'custom');
  assert.equal(qualityOf({ ...samplingFor('draft'), sampler: 'dpmpp_2m' }), 'custom');
});

test('the default form starts at Standard, one image, random seed, and needs a prompt', () => {
  const form = defaultForm();
  assert.equal(qualityOf(form), 'standard');
  assert.equal(form.count, 1);
  assert.equal(form.seedMode, 'random');
  assert.deepEqual(Object.keys(formProblems(form)), ['prompt']);
  assert.deepEqual(formProblems({ ...form, prompt: 'a fox' }), {});
});

test('out-of-range values are reported per field in words', () => {
  const problems = formProblems({ ...defaultForm(), prompt: 'x'.repeat(4001), steps: 0, cfg: 31, seedMode: 'fixed', seed: MAX_SEED + 1, lora: 'a.safetensors', loraStrength: 5 });
  assert.deepEqual(Object.keys(problems).sort(), ['cfg', 'loraStrength', 'prompt', 'seed', 'steps']);
  assert.match(problems.prompt!, /4001 characters/);
  assert.ok(formProblems({ ...defaultForm(), prompt: 'x', steps: 2.5 }).steps);
});

test('the request carries the preset size, tier, batch as count, and leaves out what was not chosen', () => {
  const body = generateRequest({ ...defaultForm(), prompt: '  a lighthouse  ', aspect: '16:9', ...samplingFor('high'), count: 4 });
  assert.deepEqual(body, { prompt: 'a lighthouse', width: 1368, height: 768, steps: 40, cfg: 6, sampler: 'dpmpp_2m_sde', scheduler: 'karras', count: 4 });
});

test('a fixed seed, pool, checkpoint, other template and LoRA are sent when chosen', () => {
  const body = generateRequest({
    ...defaultForm(), prompt: 'p', negativePrompt: 'blurry', seedMode: 'fixed', seed: 42, pool: 'big', checkpoint: ' x.safetensors ',
    template: 'mine', lora: 'ink.safetensors', loraStrength: 0.6,
  });
  const { prompt: _p, width: _w, height: _h, steps: _s, cfg: _c, sampler: _sa, scheduler: _sc, count: _n, ...chosen } = body;
  assert.deepEqual(chosen, { negativePrompt: 'blurry', seed: 42, pool: 'big', checkpoint: 'x.safetensors', template: 'mine', lora: 'ink.safetensors', loraStrength: 0.6 });
  assert.equal('seed' in generateRequest({ ...defaultForm(), prompt: 'p', seedMode: 'random', seed: 42 }), false);
});

test('random seeds cover the whole 32-bit range', () => {
  assert.equal(randomSeed(() => 0), 0);
  assert.equal(randomSeed(() => 0.9999999999), MAX_SEED);
});

test('a source image makes the request an img2img redraw that keeps the source size', () => {
  const body = generateRequest({ ...defaultForm(), prompt: 'the same harbour at night', sourceImage: 'a_0123456789abcdef01234567', denoise: 0.45, aspect: '16:9' });
  assert.equal(body.image, 'a_0123456789abcdef01234567');
  assert.equal(body.denoise, 0.45);
  assert.equal(body.template, 'img2img');
  assert.equal(body.width, undefined, 'no size: the source sets it');
  assert.equal(body.height, undefined);
  assert.equal(generateRequest({ ...defaultForm(), prompt: 'p' }).image, undefined);
  assert.match(formProblems({ ...defaultForm(), prompt: 'p', sourceImage: 'a_0123456789abcdef01234567', denoise: 2 }).denoise!, /between 0 and 1/);
});

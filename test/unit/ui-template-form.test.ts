import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultForm, generateRequest, templateFields } from '../../ui/src/lib/generate-form.ts';
import { initialValues, paramProblems, paramsRequest } from '../../ui/src/lib/template-form.ts';
import type { Template } from '../../ui/src/lib/types.ts';

const sdxl: Template = {
  id: 'txt2img', source: 'builtin', title: 'Text to image', description: '', nodeTypes: [],
  parameters: [
    { name: 'prompt', type: 'string' },
    { name: 'steps', type: 'integer', default: 20 },
    { name: 'controlnet', type: 'toggle', label: 'ControlNet', default: false, available: true },
    { name: 'controlImage', type: 'image', toggle: 'controlnet', label: 'Control image', default: null },
    { name: 'controlStrength', type: 'number', toggle: 'controlnet', default: 0.8, min: 0, max: 2 },
    { name: 'faceDetailer', type: 'toggle', label: 'Face detailer', available: false, unavailable: 'install ComfyUI Impact Pack on pool dgx' },
    { name: 'upscale', type: 'toggle', label: 'Upscale', available: true },
    { name: 'upscaleModel', type: 'model', toggle: 'upscale', default: '4x-UltraSharp.pth', options: ['2x.pth'] },
  ],
};

const mine: Template = {
  id: 'poster', source: 'user', title: 'Poster', description: '', nodeTypes: [],
  parameters: [
    { name: 'prompt', type: 'string' },
    { name: 'seed', type: 'integer' },
    { name: 'passes', type: 'integer', default: 4, min: 1, max: 50 },
    { name: 'sampler', type: 'combo', default: 'euler', options: ['euler', 'dpmpp_2m'] },
    { name: 'mood', type: 'string', default: '' },
  ],
};

test('a built-in template shows its toggles; a toggle sends itself and its parts only when on', () => {
  assert.deepEqual(templateFields(sdxl).map((p) => p.name), ['controlnet', 'faceDetailer', 'upscale']);
  const values = initialValues(sdxl);
  assert.deepEqual(values, { steps: 20, controlStrength: 0.8 }, 'defaults fill the fields, but not models, images or toggles');
  assert.equal(paramsRequest(sdxl, values, templateFields(sdxl)), undefined, 'nothing on, nothing sent');
  assert.deepEqual(paramsRequest(sdxl, { ...values, upscale: true }, templateFields(sdxl)), { upscale: true }, 'the model default is left to the server');
  const on = { ...values, controlnet: true, controlImage: 'a_0123456789abcdef01234567' };
  assert.deepEqual(paramsRequest(sdxl, on, templateFields(sdxl)), { controlnet: true, controlImage: 'a_0123456789abcdef01234567', controlStrength: 0.8 });
  const body = generateRequest({ ...defaultForm(), prompt: 'p', params: on }, sdxl);
  assert.deepEqual(body.params, { controlnet: true, controlImage: 'a_0123456789abcdef01234567', controlStrength: 0.8 });
  assert.equal(generateRequest({ ...defaultForm(), prompt: 'p', params: on, sourceImage: 'a_0123456789abcdef01234567' }, sdxl).params, undefined, 'img2img has no toggles');
});

test("problems name the field: a missing image, a value out of range, a toggle the pool cannot run", () => {
  const fields = templateFields(sdxl);
  assert.deepEqual(paramProblems(sdxl, { controlnet: true }, fields), { 'param-controlImage': 'Control image needs an image: paste the asset id (a_…) of an image from a job.' });
  assert.match(paramProblems(sdxl, { controlnet: true, controlImage: 'x', controlStrength: 3 }, fields)['param-controlStrength']!, /0 to 2/);
  assert.match(paramProblems(sdxl, { controlnet: true, controlImage: 'x' }, fields)['param-controlImage']!, /must be an asset id/);
  assert.deepEqual(paramProblems(sdxl, { faceDetailer: true }, fields), { 'param-faceDetailer': 'install ComfyUI Impact Pack on pool dgx' });
});

test("a user's template sends its own fields as params, and none of the built-in fields", () => {
  assert.deepEqual(templateFields(mine).map((p) => p.name), ['passes', 'sampler', 'mood'], 'prompt and seed are the form\'s own fields');
  const values = { ...initialValues(mine), passes: 9 };
  const body = generateRequest({ ...defaultForm(), prompt: ' a poster ', template: 'poster', seedMode: 'fixed', seed: 7, params: values }, mine);
  assert.deepEqual(body, { prompt: 'a poster', count: 1, template: 'poster', seed: 7, params: { passes: 9, sampler: 'euler' } });
  assert.match(paramProblems(mine, { passes: 51 }, templateFields(mine))['param-passes']!, /1 to 50/);
  assert.match(paramProblems(mine, { sampler: 'lcm' }, templateFields(mine))['param-sampler']!, /Choose one/);
});

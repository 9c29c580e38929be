import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { aiToolkitParser, kohyaParser, parseTqdm, type ProgressParser, type TrainerReport } from '../../activities/training/progress.ts';

const recorded = (name: string) => fs.readFileSync(new URL(`../fixtures/trainer-output/${name}`, import.meta.url), 'utf8');

/** feeds the output in reads of `size` characters, as a pipe or a growing log file hands it over */
function feed(parser: ProgressParser, text: string, size: number): TrainerReport[] {
  const reports: TrainerReport[] = [];
  for (let at = 0; at < text.length; at += size) reports.push(...parser.push(text.slice(at, at + size)));
  return [...reports, ...parser.end()];
}

const of = <K extends TrainerReport['kind']>(reports: TrainerReport[], kind: K) => reports.filter((r): r is Extract<TrainerReport, { kind: K }> => r.kind === kind);

test('AI-Toolkit: every redraw of the training bar becomes step, total, loss, lr, speed and ETA, whatever the read size', () => {
  const text = recorded('ai-toolkit-run.log');
  const whole = feed(aiToolkitParser('demo_lora'), text, text.length);
  for (const size of [1, 7, 64, 1000]) assert.deepEqual(feed(aiToolkitParser('demo_lora'), text, size), whole, `reads of ${size} characters`);
  const progress = of(whole, 'progress');
  assert.equal(progress[0]!.step, 0);
  assert.equal(progress.at(-1)!.step, 24);
  assert.ok(progress.every((p) => p.total === 24));
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.step >= progress[i - 1]!.step, 'steps never go back');
  const withLoss = progress.filter((p) => p.loss !== undefined);
  assert.ok(withLoss.length >= 24, 'a loss for every step');
  assert.ok(withLoss.every((p) => p.lr === 1e-3 && p.loss! > 0 && p.loss! < 10));
  assert.ok(progress.some((p) => p.secondsPerStep !== undefined && p.etaSeconds !== undefined));
  assert.deepEqual(of(whole, 'saving').map((r) => r.step), [10, 20]);
  assert.deepEqual(of(whole, 'checkpoint').map((r) => r.path.split('/').pop()), ['demo_lora_000000010.safetensors', 'demo_lora_000000020.safetensors', 'demo_lora.safetensors']);
  assert.ok(of(whole, 'sampling').length > 0, 'sample bars seen');
  assert.ok(!of(whole, 'progress').some((p) => p.total === 2), 'the sampling bar is not the training bar');
});

test('AI-Toolkit: a resumed run reports the step it found and continues from it', () => {
  const reports = feed(aiToolkitParser('demo_lora'), recorded('ai-toolkit-resume.log'), 13);
  assert.deepEqual(of(reports, 'resumed').map((r) => r.step), [10]);
  const progress = of(reports, 'progress');
  assert.equal(progress[0]!.step, 10);
  assert.equal(progress.at(-1)!.step, 24);
});

test('a bar split across two reads is reported once, complete', () => {
  const parser = aiToolkitParser('demo_lora');
  assert.deepEqual(parser.push('demo_lora:  46%|████▌     | 11/24 [00:00<00:05,  2.19it/s, lr: 1.0e-03 lo'), []);
  const reports = parser.push('ss: 1.271e+00]\rdemo_lora:  50%|█████     | 12/2');
  assert.deepEqual(reports, [{ kind: 'progress', step: 11, total: 24, loss: 1.271, lr: 0.001, secondsPerStep: 1 / 2.19, etaSeconds: 5 }]);
  assert.equal(of(parser.push('4 [00:01<00:08,  1.40it/s, lr: 1.0e-03 loss: 1.271e+00]\r'), 'progress')[0]!.step, 12);
});

test('tqdm redraws of one state count once; s/it speeds and hour ETAs are read', () => {
  const parser = aiToolkitParser('x');
  const line = 'x:  10%|█         | 100/1000 [02:00<1:02:03,  2.50s/it, lr: 1.0e-04 loss: 3.456e-01]';
  const reports = parser.push(`${line}\r${line}\r`);
  assert.equal(reports.length, 1);
  assert.deepEqual(reports[0], { kind: 'progress', step: 100, total: 1000, loss: 0.3456, lr: 1e-4, secondsPerStep: 2.5, etaSeconds: 3723 });
});

test('AI-Toolkit errors and a stop are reported; other lines are kept as lines', () => {
  const reports = aiToolkitParser('x').push('Running 1 job\nError running job: model not found: /models/flux\n\n========================================\nJob stopped\n');
  assert.deepEqual(of(reports, 'error'), [{ kind: 'error', message: 'model not found: /models/flux' }]);
  assert.equal(of(reports, 'stopped').length, 1);
  assert.deepEqual(of(reports, 'line').map((r) => r.text).slice(0, 1), ['Running 1 job']);
});

test('kohya: the bar counts the steps left after a resume; steps are reported against the whole run', () => {
  const text = recorded('kohya-resume.log');
  const whole = feed(kohyaParser(200), text, text.length);
  for (const size of [1, 5, 333]) assert.deepEqual(feed(kohyaParser(200), text, size), whole, `reads of ${size} characters`);
  assert.deepEqual(of(whole, 'resumed').map((r) => r.step), [150]);
  const progress = of(whole, 'progress');
  assert.equal(progress[0]!.step, 150);
  assert.equal(progress.at(-1)!.step, 200);
  assert.ok(progress.every((p) => p.total === 200));
  const last = progress.at(-1)!;
  assert.ok(Math.abs(last.loss! - 0.156) < 1e-9, `avr_loss read as the loss (${last.loss})`);
  assert.deepEqual(of(whole, 'saving').map((r) => r.step), [175, 200]);
  assert.deepEqual(of(whole, 'checkpoint').map((r) => r.path), ['/out/ada-step00000175.safetensors', '/out/ada-step00000200.safetensors', '/out/ada.safetensors']);
});

test('parseTqdm reads a bar without a rate yet, and refuses other text', () => {
  assert.deepEqual(parseTqdm('steps:   0%|          | 0/50 [00:00<?, ?it/s]'), { description: 'steps', n: 0, total: 50, secondsPerStep: undefined, etaSeconds: undefined, values: {} });
  assert.equal(parseTqdm('Saving at step 50'), undefined);
  assert.equal(parseTqdm('Generating Images: 50%'), undefined);
});

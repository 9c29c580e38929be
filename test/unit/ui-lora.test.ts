import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartPath, lossPoints, terminalText, latestTraining } from '../../ui/src/lib/lora.ts';
import type { JobEvent } from '../../ui/src/lib/types.ts';

const event = (seq: number, type: string, data: Record<string, unknown>): JobEvent => ({ seq, type, data, level: 'info', time: new Date(1_700_000_000_000 + seq * 1000).toISOString() } as JobEvent);

test('the loss curve: progress events in step order; a step reported again after a resume keeps the newest loss', () => {
  const events = [
    event(1, 'training.progress', { step: 0, total: 300, loss: 1.4 }),
    event(2, 'training.progress', { step: 2, total: 300, loss: 1.2 }),
    event(3, 'training.checkpoint', { step: 2 }),
    event(4, 'training.progress', { step: 4, total: 300, loss: null }),
    event(5, 'training.progress', { step: 2, total: 300, loss: 1.1 }),
    event(6, 'training.progress', { step: 6, total: 300, loss: 0.9 }),
  ];
  assert.deepEqual(lossPoints(events), [{ step: 0, loss: 1.4 }, { step: 2, loss: 1.1 }, { step: 6, loss: 0.9 }]);
  assert.deepEqual(latestTraining(events), { step: 6, total: 300, loss: 0.9, etaSeconds: undefined, host: '' });
});

test('the chart path spans the run: x by step over the total, y by loss (higher loss higher up)', () => {
  const { d, min, max } = chartPath([{ step: 0, loss: 2 }, { step: 150, loss: 1 }, { step: 300, loss: 1.5 }], 300, 600, 200);
  const points = d.split(' ').map((p) => p.slice(1).split(',').map(Number));
  assert.equal(points.length, 3);
  assert.deepEqual(points.map((p) => p[0]), [0, 300, 600]);
  assert.ok(points[0]![1]! < points[2]![1]! && points[2]![1]! < points[1]![1]!, 'the highest loss is drawn highest');
  assert.ok(min < 1 && max > 2);
  assert.equal(chartPath([], 300, 600, 200).d, '');
  assert.match(chartPath([{ step: 5, loss: 1 }], 10, 100, 50).d, /^M50\.0,25\.0$/);
});

test('the trainer log reads as a terminal shows it: a tqdm redraw replaces its line', () => {
  const raw = 'Running 1 job\nada:   0%|   | 0/300 [00:00<?, ?it/s]\rada:   1%|   | 3/300 [00:01<01:40, 2.9it/s, lr: 2.0e-04 loss: 1.2e+00]\nSaving at step 50\n';
  assert.equal(terminalText(raw), 'Running 1 job\nada:   1%|   | 3/300 [00:01<01:40, 2.9it/s, lr: 2.0e-04 loss: 1.2e+00]\nSaving at step 50\n');
  assert.equal(terminalText('Generating Images:  33%|█| 1/3\x1b[A\n'), 'Generating Images:  33%|█| 1/3\n', 'cursor movements are dropped');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { promptTracker, outcomeFromHistory } from '../../activities/comfy-frames.ts';
import { describeRejection } from '../../core/comfy/client.ts';
import { promptIdFor } from '../../activities/comfy.ts';

const frames = JSON.parse(fs.readFileSync(new URL('../fixtures/comfy-frames.json', import.meta.url), 'utf8'));

test('a successful run: progress of our prompt only, ended by the null executing marker', () => {
  const tracker = promptTracker('P');
  const seen: string[] = [];
  for (const frame of frames.success) {
    if (tracker.apply(frame) && frame.type === 'progress') seen.push(`${tracker.progress.node}:${tracker.progress.value}/${tracker.progress.max}`);
    if (frame.data.prompt_id === 'OTHER') assert.notEqual(tracker.progress.node, '9', "another prompt's frame moved our progress");
  }
  assert.deepEqual(seen, ['5:12/20']);
  assert.equal(tracker.ended, true);
  assert.deepEqual(tracker.outcome, { outcome: 'success' });
  assert.equal(tracker.progress.nodesDone, 1);
});

test('execution_error names the node, its class and the reason', () => {
  const tracker = promptTracker('P');
  for (const frame of frames.error) tracker.apply(frame);
  assert.deepEqual(tracker.outcome, { outcome: 'error', nodeId: '5', nodeType: 'KSampler', message: 'CUDA out of memory. Tried to allocate 2.00 GiB', exceptionType: 'torch.OutOfMemoryError' });
});

test('execution_interrupted is told apart from a failure', () => {
  const tracker = promptTracker('P');
  for (const frame of frames.interrupted) tracker.apply(frame);
  assert.equal(tracker.outcome?.outcome, 'interrupted');
});

test('after a reconnect, executing without prompt_id is not taken as ours', () => {
  const tracker = promptTracker('P');
  for (const frame of frames.reconnect) assert.equal(tracker.apply(frame), false);
  assert.equal(tracker.progress.node, undefined);
});

test('history status tells success, error and interrupt apart by the last message', () => {
  assert.deepEqual(outcomeFromHistory({ status_str: 'success', messages: [] }), { outcome: 'success' });
  const error = outcomeFromHistory({ status_str: 'error', messages: [['execution_start', {}], ['execution_error', { node_id: '5', node_type: 'KSampler', exception_message: 'boom' }]] });
  assert.equal(error.outcome, 'error');
  assert.equal(outcomeFromHistory({ status_str: 'error', messages: [['execution_start', {}], ['execution_interrupted', { node_id: '8' }]] }).outcome, 'interrupted');
});

test('a 400 from /prompt becomes a message naming node, class and input', () => {
  const body = { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: { '1': { errors: [{ type: 'required_input_missing', message: 'Required input is missing', details: 'height', extra_info: { input_name: 'height' } }], dependent_outputs: ['2'], class_type: 'EmptyImage' } } };
  assert.equal(describeRejection(body, {}), 'Prompt outputs failed validation: node 1 (EmptyImage) input "height": Required input is missing — height');
  const missing = { error: { type: 'missing_node_type', message: "Node 'Foo' not found. The custom node may not be installed.", details: '', extra_info: { node_id: '7', class_type: 'Foo', node_title: 'Foo' } }, node_errors: {} };
  assert.match(describeRejection(missing, {}), /no node type "Foo" \(node 7\)/);
});

test('prompt ids are canonical lowercase UUIDs, stable for the same workflow and activity', () => {
  const id = promptIdFor('generate-1/run-1/3');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(promptIdFor('generate-1/run-1/3'), id);
  assert.notEqual(promptIdFor('generate-1/run-1/4'), id);
});

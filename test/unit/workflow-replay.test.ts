// Jobs that are running when the workers are upgraded go on with the new workflow code: histories recorded by earlier
// code (the temporal CLI's `workflow show --output json`, test/fixtures/histories/) replay on today's without a
// nondeterminism error. A change to a workflow that alters the commands it makes goes behind `patched()`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';

const histories = new URL('../fixtures/histories/', import.meta.url);
const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

// a generate job of 6 images (a window of 3) that re-read its pool's capacity every 2 s, waiting or not
test('a generate job recorded before the pool capacity backed off replays on the current code', async () => {
  const history = JSON.parse(fs.readFileSync(new URL('generate-capacity-every-2s.json', histories), 'utf8'));
  const fired = history.events.filter((e: { eventType: string }) => e.eventType === 'EVENT_TYPE_TIMER_FIRED').length;
  assert.ok(fired >= 10, `the recording holds the old code's readings (${fired} timers fired)`);
  await Worker.runReplayHistory({ workflowsPath }, history, 'generate-recorded');
});

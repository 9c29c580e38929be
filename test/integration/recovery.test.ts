// Processes killed with SIGKILL mid-job come back (the launcher restarts them) and the job completes with
// every image exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { startGenerate, waitForStatus, waitForEvent, assertEachImageOnce, standinLog, jobEvents } from '../support/jobs.ts';
import { apiClient } from '../../cli/api-client.ts';
import { followEvents, type StreamedEvent } from '../../cli/sse.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack({ comfyStepMs: 40 }); });
after(async () => { await stack?.stop(); });

const JOB = { prompt: 'survives a crash', width: 256, height: 256, steps: 30, count: 3 };

async function killMidJob(processName: string, when: (id: string) => Promise<unknown>) {
  const id = await startGenerate(stack, JOB);
  await when(id);
  const pid = stack.supervisor.kill(processName, 'SIGKILL');
  assert.ok(pid, `${processName} was running`);
  await stack.supervisor.waitForRestart(processName, pid);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
  assert.equal(job.status, 'COMPLETED', job.error);
  await assertEachImageOnce(stack, id, 3);
  return id;
}

test('the GPU worker killed while sampling: the retried activity finds its prompt at ComfyUI', async () => {
  const id = await killMidJob('worker-gpu-demo', (id) => waitForEvent(stack, id, 'progress'));
  const types = (await jobEvents(stack, id)).map((e) => e.type);
  assert.ok(types.includes('comfy.resumed'), 'a retried attempt picked up its prompt instead of queueing it again');
});

test('the main worker killed mid-job', async () => {
  await killMidJob('worker-main', (id) => waitForEvent(stack, id, 'asset.created'));
});

test('the Temporal dev server killed mid-job and restarted on the same SQLite file', async () => {
  await killMidJob('temporal', (id) => waitForEvent(stack, id, 'progress'));
});

test('the ComfyUI stand-in killed mid-run: the activity queues its prompt again', async () => {
  const id = await killMidJob('comfyui-demo', (id) => waitForEvent(stack, id, 'progress'));
  const queued = (await jobEvents(stack, id)).filter((e) => e.type === 'comfy.queued').map((e) => String(e.data.promptId));
  assert.ok(queued.length > new Set(queued).size, `a lost prompt was queued again under its own id (${queued.join(', ')})`);
  assert.ok(standinLog(stack).filter((l) => l.event === 'standin_started').length >= 2, 'the stand-in really restarted');
});

test('the API killed while an SSE client follows a job: the client reconnects and gets what it missed, once', async () => {
  const id = await startGenerate(stack, JOB);
  const api = apiClient({ url: stack.apiUrl, token: stack.token, dataDir: stack.dataDir });
  const seen: StreamedEvent[] = [];
  let killed = false;
  const following = followEvents(api, id, (event) => {
    seen.push(event);
    if (!killed && event.type === 'progress') {
      killed = true;
      const pid = stack.supervisor.kill('api', 'SIGKILL');
      void stack.supervisor.waitForRestart('api', pid);
    }
    return event.type === 'job.completed' || event.type === 'job.failed' ? false : undefined;
  }, AbortSignal.timeout(120_000));
  await following;
  assert.ok(killed, 'the API was killed mid-stream');
  assert.equal(seen.at(-1)?.type, 'job.completed');
  const all = await jobEvents(stack, id);
  assert.deepEqual(seen.map((e) => e.seq), all.map((e) => e.seq), 'every event exactly once, in order, across the reconnect');
  await assertEachImageOnce(stack, id, 3);
});

// The shared review loop on a real Temporal dev server: the validator's refusals, one effect per decision id,
// decisions from the temporal CLI, and a wait that outlives its worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Worker, NativeConnection } from '@temporalio/worker';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';
import { freePort, waitForPort } from '../../infra/local/ports.ts';
import { reviewUpdate, stateQuery, type ReviewDecision, type PipelineState } from '../../workflows/messages.ts';
import { until } from '../support/stack.ts';

const TASK_QUEUE = 'review-loop-test';
let server: ChildProcess;
let address: string;
let client: Client;

async function startWorker() {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue: TASK_QUEUE, workflowsPath: fileURLToPath(new URL('../fixtures/review-workflow.ts', import.meta.url)) });
  const running = worker.run();
  return { stop: async () => { worker.shutdown(); await running; await connection.close(); } };
}

before(async () => {
  const port = await freePort();
  address = `127.0.0.1:${port}`;
  server = spawn(findTemporalCli()!, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'], { stdio: 'ignore' });
  await waitForPort(port);
  client = new Client({ connection: await Connection.connect({ address }) });
});
after(async () => {
  await client?.connection.close();
  server?.kill('SIGTERM');
});

const decide = (id: string, decision: Partial<ReviewDecision>) =>
  client.workflow.getHandle(id).executeUpdate(reviewUpdate, { args: [{ stepId: 'a', decision: 'approve', decisionId: crypto.randomUUID(), ...decision } as ReviewDecision] });

async function refusedWith(id: string, decision: Partial<ReviewDecision>, message: RegExp) {
  await assert.rejects(decide(id, decision), (error: unknown) => {
    assert.ok(error instanceof WorkflowUpdateFailedError, String(error));
    assert.match(String((error.cause as Error)?.message), message);
    return true;
  });
}

test('refusals name what was wrong; one decision id has one effect; the update returns the new state', async () => {
  const worker = await startWorker();
  try {
    const handle = await client.workflow.start('reviewFixtureWorkflow', { taskQueue: TASK_QUEUE, workflowId: `review-${Date.now()}` });
    await until('step a to await review', async () => (await handle.query(stateQuery)).awaitingReview.length === 1);
    const waiting = (await handle.query(stateQuery)).awaitingReview[0]!;
    assert.deepEqual([waiting.stepId, waiting.decisions, waiting.suggestedPrompt], ['a', ['approve', 'retry'], 'a red kite']);

    await refusedWith(handle.workflowId, { stepId: 'b' }, /step "b" is not awaiting a review: the steps awaiting one are a/);
    await refusedWith(handle.workflowId, { decision: 'keep' }, /does not take "keep": choose one of approve, retry/);
    await refusedWith(handle.workflowId, { decision: 'retry' }, /"retry" needs a prompt/);
    await refusedWith(handle.workflowId, { decision: 'retry', prompt: 'something forbidden' }, /may not say "forbidden"/);
    await refusedWith(handle.workflowId, { decisionId: '' }, /needs "decisionId"/);

    const retry = await decide(handle.workflowId, { decision: 'retry', prompt: 'a blue kite', decisionId: 'd-1', source: 'ui' });
    assert.equal(retry.reviews!.length, 1);
    assert.equal(retry.reviews![0]!.prompt, 'a blue kite');
    await until('step a to await again', async () => (await handle.query(stateQuery)).awaitingReview[0]?.title === 'Step a, attempt 2');
    // the same decision again (a double click, a retried request): no second retry
    const again = await decide(handle.workflowId, { decision: 'retry', prompt: 'a blue kite', decisionId: 'd-1', source: 'ui' });
    assert.equal(again.reviews!.length, 1);
    assert.equal((await handle.query(stateQuery)).awaitingReview[0]!.title, 'Step a, attempt 2');

    const approved = await decide(handle.workflowId, { decisionId: 'd-2', source: 'cli', by: 'ana' });
    assert.deepEqual(approved.reviews!.map((r) => [r.decision, r.source, r.kind]), [['retry', 'ui', 'step'], ['approve', 'cli', 'step']]);
    assert.equal(approved.reviews![1]!.by, 'ana');
    await refusedWith(handle.workflowId, { decisionId: 'd-3' }, /step "a" is not awaiting a review: the steps awaiting one are b/);

    // straight through Temporal, as an operator would
    await until('step b to await review', async () => (await handle.query(stateQuery)).awaitingReview[0]?.stepId === 'b');
    // not execFileSync: the worker runs in this process and must keep working while the CLI waits
    await promisify(execFile)(findTemporalCli()!, ['workflow', 'update', 'execute', '--address', address, '--workflow-id', handle.workflowId, '--name', 'review',
      '--input', JSON.stringify({ stepId: 'b', decision: 'keep', decisionId: 'cli-1' })]);
    const result: PipelineState = await handle.result();
    assert.equal(result.status, 'COMPLETED');
    assert.deepEqual(result.reviews!.map((r) => r.source), ['ui', 'cli', 'temporal']);
  } finally {
    await worker.stop();
  }
});

test('a step awaiting review outlives its worker: a new worker takes the decision', async () => {
  let worker = await startWorker();
  const handle = await client.workflow.start('reviewFixtureWorkflow', { taskQueue: TASK_QUEUE, workflowId: `review-restart-${Date.now()}` });
  await until('step a to await review', async () => (await handle.query(stateQuery)).awaitingReview.length === 1);
  await worker.stop();
  worker = await startWorker();
  try {
    await decide(handle.workflowId, { decisionId: 'x-1' });
    await decide(handle.workflowId, { stepId: 'b', decision: 'discard', decisionId: 'x-2' });
    assert.equal((await handle.result()).status, 'COMPLETED');
  } finally {
    await worker.stop();
  }
});

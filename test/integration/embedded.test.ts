// The start-up path of `npm start` with nothing configured: embedded PostgreSQL from npm, data in DATA_DIR.
// A job running when Atelier stops finishes after the next start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTestStack } from '../support/stack.ts';
import { startGenerate, waitForStatus, waitForEvent, assertEachImageOnce } from '../support/jobs.ts';

test('embedded PostgreSQL: a job interrupted by a stop completes after the next start on the same DATA_DIR', async () => {
  const first = await startTestStack({ embeddedDatabase: true, keepData: true, comfyStepMs: 40 });
  let id: string;
  try {
    assert.match(first.databaseUrl, /^postgres:\/\/atelier:.+@127\.0\.0\.1:\d+\/atelier$/);
    const health = await first.api('/api/health');
    assert.equal(health.body.database.embedded, true);
    assert.match(health.body.database.version, /PostgreSQL 18/);
    id = await startGenerate(first, { prompt: 'across a restart', width: 256, height: 256, steps: 40, count: 3 });
    await waitForEvent(first, id, 'asset.created');
  } finally {
    await first.stop();
  }
  const second = await startTestStack({ embeddedDatabase: true, dataDir: first.dataDir, comfyStepMs: 40 });
  try {
    assert.equal(second.token, first.token, 'the API token survives');
    const job = await waitForStatus(second, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
    assert.equal(job.status, 'COMPLETED', job.error);
    await assertEachImageOnce(second, id, 3);
  } finally {
    await second.stop();
  }
  assert.equal(fs.existsSync(first.dataDir), false);
});

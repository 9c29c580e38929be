// Test helpers around jobs: start one, wait for a status, read its events, read the stand-in's log.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { until, type TestStack } from './stack.ts';

export async function startGenerate(stack: TestStack, body: Record<string, unknown>): Promise<string> {
  const response = await stack.api('/api/generate', { method: 'POST', json: body });
  if (response.status !== 202) throw new Error(`generate refused (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

export async function waitForStatus(stack: TestStack, id: string, statuses: string[], timeoutMs = 90_000) {
  return until(`job ${id} to reach ${statuses.join('/')}`, async () => {
    const [row] = await stack.sql`SELECT * FROM jobs WHERE id = ${id}`;
    return row && statuses.includes(row.status) ? row : undefined;
  }, timeoutMs);
}

export async function jobEvents(stack: TestStack, id: string) {
  return stack.sql`SELECT seq, type, level, data FROM events WHERE job_id = ${id} ORDER BY seq`;
}

export async function waitForEvent(stack: TestStack, id: string, type: string, count = 1, timeoutMs = 60_000) {
  return until(`${count} ${type} event(s) of job ${id}`, async () => {
    const rows = await stack.sql`SELECT seq, data FROM events WHERE job_id = ${id} AND type = ${type} ORDER BY seq`;
    return rows.length >= count ? rows : undefined;
  }, timeoutMs, 50);
}

/** when the job's workflow read its pool's capacity (the poolCapacity local activities in its history) */
export async function capacityReadings(stack: TestStack, id: string): Promise<Date[]> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const history = await new Client({ connection }).workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).flatMap((event) => {
      const data = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      if (!data || JSON.parse(Buffer.from(data).toString('utf8')).activity_type !== 'poolCapacity') return [];
      return [new Date(Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6))];
    });
  } finally {
    await connection.close();
  }
}

export interface StandinLogLine { event: string; prompt_id?: string; outcome?: string; running?: boolean; [key: string]: unknown }

export function standinLog(stack: TestStack): StandinLogLine[] {
  const file = path.join(stack.dataDir, 'comfyui', 'standin-events.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

export async function promptIdsOf(stack: TestStack, id: string): Promise<string[]> {
  const rows = await stack.sql`SELECT DISTINCT data->>'promptId' AS prompt FROM events WHERE job_id = ${id} AND type IN ('comfy.queued', 'comfy.resumed')`;
  return rows.map((r) => r.prompt as string);
}

/** Every prompt of the job ran to success exactly once at ComfyUI and gave one asset row per image. */
export async function assertEachImageOnce(stack: TestStack, id: string, expectedImages: number): Promise<void> {
  const prompts = await promptIdsOf(stack, id);
  const log = standinLog(stack);
  for (const prompt of prompts) {
    const successes = log.filter((l) => l.event === 'executed' && l.prompt_id === prompt && l.outcome === 'success').length;
    if (successes !== 1) throw new Error(`prompt ${prompt} of ${id} succeeded ${successes} times at ComfyUI`);
  }
  const assets = await stack.sql`SELECT relative_path, sha256 FROM assets WHERE job_id = ${id} ORDER BY relative_path`;
  if (assets.length !== expectedImages) throw new Error(`job ${id} has ${assets.length} assets, expected ${expectedImages}`);
  for (const asset of assets) if (!fs.existsSync(path.join(stack.dataDir, asset.relative_path))) throw new Error(`missing file ${asset.relative_path}`);
}

// npm run bench:campaign — does the chapter fan-out keep the LLM busy? A 24-scene campaign through the whole stack
// (API → workflow → chapter activities → LLM stand-in at 300 ms per streamed reply, 4 chapters in flight) against
// the ideal (24 × 300 ms ÷ 4) and against the same 24 chapter requests sent straight to the stand-in, 4 at a time.
import { startTestStack } from '../support/stack.ts';
import { waitForStatus } from '../support/jobs.ts';
import { startCampaign } from '../support/campaigns.ts';
import { llmClient } from '../../activities/llm.ts';
import { CHAPTER_SYSTEM, chapterPrompt } from '../../activities/campaign/prompts.ts';
import { campaignInputSchema } from '../../core/campaign/premise.ts';
import { scenesOf, type Outline } from '../../workflows/campaign-outline.ts';

const CHAPTERS = 24;
const REPLY_MS = 300;
const FANOUT = 4;

const stack = await startTestStack({ llmReplyMs: REPLY_MS, env: { LOG_LEVEL: 'info', ATELIER_CHAPTER_FANOUT: String(FANOUT) } });
try {
  const premise = { premise: 'A caravan crosses the salt desert to a city that should not exist.', sessions: 8, illustrate: 'none' as const, illustrateNpcs: false };
  // warm up: the workflow bundle's first task, connections, the stand-in
  await waitForStatus(stack, await startCampaign(stack, { ...premise, sessions: 1 }), ['COMPLETED'], 120_000);

  const id = await startCampaign(stack, premise);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 300_000);
  if (job.status !== 'COMPLETED') throw new Error(`the campaign ${job.status}: ${job.error}`);
  const [{ outline }] = await stack.sql`SELECT outline FROM campaigns WHERE job_id = ${id}`;
  const scenes = scenesOf(outline as Outline);
  if (scenes.length !== CHAPTERS) throw new Error(`the outline has ${scenes.length} scenes, not ${CHAPTERS}`);
  const [span] = await stack.sql`SELECT min(time) FILTER (WHERE type = 'stage' AND data->>'stage' = 'chapters') AS start,
    max(time) FILTER (WHERE type = 'chapter.written') AS finish FROM events WHERE job_id = ${id}`;
  const stackSeconds = (new Date(span!.finish).getTime() - new Date(span!.start).getTime()) / 1000;

  // the same requests straight to the stand-in, FANOUT at a time
  const llm = llmClient({ baseUrl: stack.llmUrl, apiKey: 'bench', model: 'llama3.1', visionModel: 'llava' });
  const parsed = campaignInputSchema.parse(premise);
  const queue = scenes.map((s) => s.id);
  const directStart = performance.now();
  await Promise.all(Array.from({ length: FANOUT }, async () => {
    for (let scene = queue.shift(); scene; scene = queue.shift()) await llm.streamText({ system: CHAPTER_SYSTEM, user: chapterPrompt(outline as Outline, scene, parsed) }, () => {});
  }));
  const directSeconds = (performance.now() - directStart) / 1000;

  if (process.env.BENCH_DETAIL) {
    const rows = await stack.sql`SELECT type, data->>'scene' AS scene, time FROM events WHERE job_id = ${id} AND type IN ('chapter.started', 'chapter.written') ORDER BY seq`;
    const t0 = new Date(span!.start).getTime();
    for (const row of rows) console.log(`  ${String(new Date(row.time).getTime() - t0).padStart(5)} ms  ${row.type} ${row.scene}`);
    const { Connection, Client } = await import('@temporalio/client');
    const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const event of history.events ?? []) {
      const ms = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6) - t0;
      if (ms > -100 && ms < 1600) console.log(`  ${String(ms).padStart(5)} ms  history ${event.eventId} ${Object.keys(event).find((k) => k.endsWith('Attributes'))}`);
    }
    await client.connection.close();
  }
  const ideal = (CHAPTERS * REPLY_MS) / FANOUT / 1000;
  console.log(`\nbench:campaign — ${CHAPTERS} chapters, ${REPLY_MS} ms per streamed reply at the LLM stand-in, ${FANOUT} in flight`);
  console.log(`  ideal (${CHAPTERS} × ${REPLY_MS} ms ÷ ${FANOUT}):                 ${ideal.toFixed(2)} s`);
  console.log(`  straight to the stand-in, ${FANOUT} at a time:         ${directSeconds.toFixed(2)} s  (ratio to ideal ${(ideal / directSeconds).toFixed(3)})`);
  console.log(`  through Temporal → chapter activities → events:  ${stackSeconds.toFixed(2)} s  (chapters stage, first start to last chapter written)`);
  console.log(`  ratio (ideal / stack): ${(ideal / stackSeconds).toFixed(3)}   target ≥ 0.9  ${ideal / stackSeconds >= 0.9 ? 'MET' : 'NOT MET'};  stack vs direct: ${(directSeconds / stackSeconds).toFixed(3)}`);
} finally {
  await stack.stop();
}

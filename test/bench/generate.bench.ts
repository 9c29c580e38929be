// npm run bench:generate — does orchestration keep the GPU busy? 50 prompts through the whole stack
// (API → workflow → GPU worker → ComfyUI stand-in at 200 ms per image, serial like a real GPU) against the
// same 50 prompts sent straight to the stand-in one after another, in the same run. Prints both and the ratio.
import { startTestStack, until } from '../support/stack.ts';
import { loadTemplates, pickTemplate } from '../../core/templates/catalogue.ts';
import { buildGraph } from '../../core/templates/graph.ts';
import { comfyClient } from '../../core/comfy/client.ts';
import crypto from 'node:crypto';
import { standinLog } from '../support/jobs.ts';

const PROMPTS = Number(process.env.BENCH_PROMPTS ?? 50);
const STEPS = 4;
const STEP_MS = 50; // 4 × 50 ms = 200 ms of "GPU" per image
const prompts = Array.from({ length: PROMPTS }, (_, i) => `benchmark prompt ${i}: a lighthouse at dusk, variation ${i}`);
// small images: the stand-in's CPU rendering would otherwise compete with the orchestrator for this machine's 2 cores,
// which a real GPU does not; the 200 ms per image is the stand-in's simulated sampling time
const params = (prompt: string, seed: number) => ({ prompt, width: 128, height: 128, steps: STEPS, seed });

const stack = await startTestStack({ comfyStepMs: STEP_MS, env: { LOG_LEVEL: 'info' } });
try {
  const comfyUrl = stack.pools.demo!;
  const comfy = comfyClient(comfyUrl);
  const template = pickTemplate(await loadTemplates(), 'txt2img');
  const objectInfo = await comfy.objectInfo();
  const checkpoint = (objectInfo.CheckpointLoaderSimple!.input.required!.ckpt_name as [string[]])[0]![0]!;

  // warm both paths once (sharp, the workflow bundle's first task, connections)
  const warm = await stack.api('/api/generate', { method: 'POST', json: { ...params('warm-up', 1) } });
  await until('warm-up job', async () => (await stack.api(`/api/jobs/${warm.body.id}`)).body.job?.status === 'COMPLETED', 60_000);

  const directStart = performance.now();
  for (const [i, prompt] of prompts.entries()) {
    const promptId = crypto.randomUUID();
    const graph = buildGraph(template, { ...params(prompt, 1000 + i), checkpoint });
    await comfy.queuePrompt(graph, { promptId, clientId: 'bench' });
    const entry = await until(`direct prompt ${i}`, () => comfy.history(promptId), 60_000, 5);
    const image = Object.values(entry.outputs).flatMap((o) => o.images ?? [])[0]!;
    await comfy.view(image);
  }
  const directSeconds = (performance.now() - directStart) / 1000;

  const stackStart = performance.now();
  const ids: string[] = [];
  for (const [i, prompt] of prompts.entries()) {
    const started = await stack.api('/api/generate', { method: 'POST', json: params(prompt, 5000 + i) });
    if (started.status !== 202) throw new Error(`generate refused: ${JSON.stringify(started.body)}`);
    ids.push(started.body.id);
  }
  await until('all benchmark jobs', async () => {
    const [row] = await stack.sql`SELECT count(*)::int AS done FROM jobs WHERE id = ANY(${ids}) AND status IN ('COMPLETED', 'FAILED', 'CANCELLED')`;
    return row!.done === ids.length;
  }, 600_000, 20);
  const stackSeconds = (performance.now() - stackStart) / 1000;
  const [failed] = await stack.sql`SELECT count(*)::int AS n FROM jobs WHERE id = ANY(${ids}) AND status <> 'COMPLETED'`;
  const [images] = await stack.sql`SELECT count(*)::int AS n FROM assets WHERE job_id = ANY(${ids})`;

  // where the time went, seen from the stand-in: its busy time per image and its idle time between images
  const runs: { start: number; end: number }[] = [];
  for (const line of standinLog(stack)) {
    if (line.event === 'started') runs.push({ start: Number(line.ts), end: 0 });
    if (line.event === 'executed' && runs.length) runs[runs.length - 1]!.end = Number(line.ts);
  }
  const phase = (list: typeof runs) => ({
    busy: list.reduce((sum, r) => sum + r.end - r.start, 0) / list.length,
    idle: list.slice(1).reduce((sum, r, i) => sum + Math.max(0, r.start - list[i]!.end), 0) / 1000,
  });
  const directRuns = phase(runs.slice(1, 1 + PROMPTS));
  const stackRuns = phase(runs.slice(1 + PROMPTS));

  const direct = PROMPTS / directSeconds;
  const orchestrated = PROMPTS / stackSeconds;
  const ratio = orchestrated / direct;
  console.log(`\nbench:generate — ${PROMPTS} prompts, ${STEPS} steps × ${STEP_MS} ms per image at the ComfyUI stand-in`);
  console.log(`  straight to the stand-in, one after another: ${directSeconds.toFixed(2)} s  → ${direct.toFixed(3)} images/s`);
  console.log(`  through API → Temporal → GPU worker:         ${stackSeconds.toFixed(2)} s  → ${orchestrated.toFixed(3)} images/s  (${images!.n} images, ${failed!.n} jobs not completed)`);
  console.log(`  ComfyUI busy per image: direct ${directRuns.busy.toFixed(0)} ms, stack ${stackRuns.busy.toFixed(0)} ms; idle between images: direct ${directRuns.idle.toFixed(2)} s, stack ${stackRuns.idle.toFixed(2)} s`);
  console.log(`  ratio (stack / direct): ${ratio.toFixed(3)}   target ≥ 0.97  ${ratio >= 0.97 ? 'MET' : 'NOT MET'}`);
} finally {
  await stack.stop();
}

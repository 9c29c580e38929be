// npm run bench:sprites — does the sprites pipeline keep the GPU busy, and is pixelating cheap?
// 1. Sprites per minute through the whole pipeline (API → workflow → GPU worker → ComfyUI stand-in at 2 s per
//    1024² image → pixelate → review, a reviewer keeping each sprite as it appears → library → deploy into a Bevy
//    project) against the same prompts sent straight to the stand-in one after another (its own limit, nominally
//    30 a minute), in the same run, as a ratio. Target ≥ 0.97.
// 2. The pixelate step's cost per sprite divided by the cost of decoding the generated PNG. Target ≤ 3.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { startTestStack, until } from '../support/stack.ts';
import { standinLog } from '../support/jobs.ts';
import { loadTemplates, pickTemplate } from '../../core/templates/catalogue.ts';
import { buildGraph } from '../../core/templates/graph.ts';
import { comfyClient } from '../../core/comfy/client.ts';
import { pixelate } from '../../activities/imaging/pixelate.ts';
import { paletteColours } from '../../core/palettes.ts';
import { CATEGORY_WORDS, PIXEL_LORA, SPRITE_STYLES } from '../../core/sprite-styles.ts';
import type { SpritesState } from '../../workflows/sprites-state.ts';

const SPRITES = Number(process.env.BENCH_SPRITES ?? 30);
const STEPS = 20;
const STEP_MS = 100; // 20 × 100 ms = 2 s of "GPU" per 1024² image: 30 a minute at most
const prompts = Array.from({ length: SPRITES }, (_, i) => `benchmark sprite ${i}: a knight with a shield, variation ${i}`);
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-games-')));
const game = path.join(root, 'bench-game');
fs.mkdirSync(game);
fs.writeFileSync(path.join(game, 'Cargo.toml'), '[package]\nname = "bench-game"\n');

const stack = await startTestStack({ comfyStepMs: STEP_MS, env: { LOG_LEVEL: 'info', ATELIER_BEVY_ROOTS: root } });
const finished = (id: string) => until(`job ${id}`, async () => {
  const [row] = await stack.sql`SELECT status, error FROM jobs WHERE id = ${id}`;
  return row && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status) ? row : undefined;
}, 900_000, 50);

try {
  // warm both paths once (sharp, the workflow bundle's first task, connections)
  const warm = await stack.api('/api/sprites', { method: 'POST', json: { prompt: 'warm-up slime', steps: 2, review: false } });
  await finished(warm.body.id);

  const comfy = comfyClient(stack.pools.demo!);
  const template = pickTemplate(await loadTemplates(), 'txt2img');
  const style = SPRITE_STYLES['16bit'];
  const directStart = performance.now();
  for (const [i, prompt] of prompts.entries()) {
    const promptId = crypto.randomUUID();
    const graph = buildGraph(template, { prompt: `${style.words}, ${prompt}, ${CATEGORY_WORDS.character.words}`, width: 1024, height: 1024, steps: STEPS, seed: 1000 + i, lora: PIXEL_LORA, loraStrength: style.loraStrength, checkpoint: 'atelier-demo-sdxl.safetensors' });
    await comfy.queuePrompt(graph, { promptId, clientId: 'bench' });
    const entry = await until(`direct prompt ${i}`, () => comfy.history(promptId), 60_000, 5);
    await comfy.view(Object.values(entry.outputs).flatMap((o) => o.images ?? [])[0]!);
  }
  const directSeconds = (performance.now() - directStart) / 1000;

  const start = performance.now();
  const started = await stack.api('/api/sprites', { method: 'POST', json: { prompts, style: '16bit', steps: STEPS, palette: 'pico8', project: 'bench', deploy: { project: game } } });
  if (started.status !== 202) throw new Error(`sprites refused: ${JSON.stringify(started.body)}`);
  const id = started.body.id as string;
  // the reviewer: keeps each sprite as soon as it awaits review
  const decided = new Set<string>();
  let reviewing = true;
  const reviewer = (async () => {
    while (reviewing) {
      const state = (await stack.api(`/api/jobs/${id}`)).body.state as SpritesState | null;
      for (const request of state?.awaitingReview ?? []) {
        if (decided.has(request.stepId)) continue;
        decided.add(request.stepId);
        await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: request.stepId, decision: 'keep', decisionId: `bench-${request.stepId}` } });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const job = await finished(id);
  const pipelineSeconds = (performance.now() - start) / 1000;
  reviewing = false;
  await reviewer;
  if (job.status !== 'COMPLETED') throw new Error(`the benchmark job ended ${job.status}: ${job.error}`);
  const deployed = fs.readdirSync(path.join(game, 'assets', 'sprites')).length;

  // pixelate against decode, on the stand-in's own 1024² images from that job
  const generated = await stack.sql`SELECT relative_path FROM assets WHERE job_id = ${id} AND kind = 'generations' ORDER BY relative_path LIMIT 5`;
  const pngs = generated.map((row) => fs.readFileSync(path.join(stack.dataDir, row.relative_path)));
  const options = { grid: 32, tile: false, ground: true, tolerance: 40, margin: 1, softAlpha: false, outline: false, palette: { kind: 'list' as const, colours: paletteColours('pico8') } };
  const rounds = 20;
  let decodeMs = 0;
  let pixelateMs = 0;
  for (let round = 0; round < rounds + 2; round++) {
    for (const png of pngs) {
      let t = performance.now();
      await sharp(png).raw().toBuffer();
      const decode = performance.now() - t;
      t = performance.now();
      await pixelate([png], options);
      const made = performance.now() - t;
      if (round >= 2) { decodeMs += decode; pixelateMs += made; } // two rounds of warm-up
    }
  }
  const perSprite = pixelateMs / (rounds * pngs.length);
  const perDecode = decodeMs / (rounds * pngs.length);

  // where the time went, seen from the stand-in: idle between images, and from the pipeline's first image to its last
  const runs: { start: number; end: number }[] = [];
  for (const line of standinLog(stack)) {
    if (line.event === 'started') runs.push({ start: Number(line.ts), end: 0 });
    if (line.event === 'executed' && runs.length) runs[runs.length - 1]!.end = Number(line.ts);
  }
  const idle = (list: typeof runs) => list.slice(1).reduce((sum, r, i) => sum + Math.max(0, r.start - list[i]!.end), 0) / 1000;
  const directRuns = runs.slice(1, 1 + SPRITES);
  const pipelineRuns = runs.slice(1 + SPRITES);
  const firstToLast = (pipelineRuns.at(-1)!.end - pipelineRuns[0]!.start) / 1000;

  const direct = (SPRITES / directSeconds) * 60;
  const pipeline = (SPRITES / pipelineSeconds) * 60;
  console.log(`\nbench:sprites — ${SPRITES} sprites, ${STEPS} steps × ${STEP_MS} ms per 1024² image at the ComfyUI stand-in`);
  console.log(`  straight to the stand-in, one after another: ${directSeconds.toFixed(1)} s → ${direct.toFixed(2)} images/min (nominal limit 30/min)`);
  console.log(`  whole pipeline (generate, pixelate, review, library, deploy of ${deployed} files): ${pipelineSeconds.toFixed(1)} s → ${pipeline.toFixed(2)} sprites/min`);
  console.log(`  stand-in idle between images: direct ${idle(directRuns).toFixed(2)} s, pipeline ${idle(pipelineRuns).toFixed(2)} s; pipeline start to first image and last image to done: ${(pipelineSeconds - firstToLast).toFixed(2)} s`);
  console.log(`  ratio (pipeline / stand-in): ${(pipeline / direct).toFixed(3)}   against the nominal 30/min: ${(pipeline / 30).toFixed(3)}   target ≥ 0.97  ${pipeline / direct >= 0.97 ? 'MET' : 'NOT MET'}`);
  console.log(`  pixelate per sprite: ${perSprite.toFixed(2)} ms; PNG decode: ${perDecode.toFixed(2)} ms; ratio ${(perSprite / perDecode).toFixed(2)}   target ≤ 3  ${perSprite / perDecode <= 3 ? 'MET' : 'NOT MET'}`);
} finally {
  await stack.stop();
  fs.rmSync(root, { recursive: true, force: true });
}

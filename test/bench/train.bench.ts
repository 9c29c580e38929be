// npm run bench:train — does Atelier slow the trainer down? The demo trainer (a real PyTorch LoRA training on the
// CPU) run alone on an AI-Toolkit config, against the same training through Atelier (API → workflow → GPU worker:
// output followed, events, heartbeats, checkpoints and samples copied to the artifact store), in one run; the trainer
// alone runs before and after, and their mean is the baseline. Prints both and trainer-alone ÷ through-Atelier.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestStack, until } from '../support/stack.ts';
import { createCharacter, eventsOf, portrait, startTraining } from '../support/lora.ts';
import { waitForStatus } from '../support/jobs.ts';
import { aiToolkitConfig } from '../../activities/training/ai-toolkit.ts';
import { resolveSettings } from '../../core/lora-settings.ts';
import { DEMO_TRAINER_RUN, ensureDemoTrainer } from '../../infra/local/demo-trainer/install.ts';

const STEPS = Number(process.env.BENCH_STEPS ?? 200);
const advanced = { steps: STEPS, saveEvery: 50, sampleEvery: 100 };
const prompts = ['photo of [trigger] smiling', '[trigger] in a park'];
const images = await Promise.all([0, 1, 2, 3].map(async (i) => ({ name: `bench-${i}.png`, bytes: await portrait(i), caption: `photo of [trigger], pose ${i}` })));
const python = await ensureDemoTrainer((m) => console.log(m));

/** the demo trainer alone on the config Atelier writes; seconds from start to exit */
async function alone(round: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `atelier-bench-train-${round}-`));
  const dataset = path.join(dir, 'dataset');
  fs.mkdirSync(dataset);
  images.forEach((image, i) => {
    fs.writeFileSync(path.join(dataset, `img-${i}.png`), image.bytes);
    fs.writeFileSync(path.join(dataset, `img-${i}.txt`), image.caption.replaceAll('[trigger]', 'ohwx_bench'));
  });
  const config = aiToolkitConfig({
    jobId: 'bench', name: 'bench', jobDir: dir, datasetDir: dataset, outputDir: path.join(dir, 'output'), settings: resolveSettings('quick', advanced),
    triggerWord: 'ohwx_bench', samplePrompts: prompts, baseModel: 'atelier-demo-tiny-unet', arch: 'demo', demo: true,
  });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const log = fs.openSync(path.join(dir, 'trainer.log'), 'w');
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => spawn(python, [DEMO_TRAINER_RUN, path.join(dir, 'config.json')], { cwd: dir, stdio: ['ignore', log, log], env: { ...process.env, PYTHONUNBUFFERED: '1' } }).once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`the demo trainer failed (code ${code}); see ${path.join(dir, 'trainer.log')}`);
  fs.rmSync(dir, { recursive: true, force: true });
  return seconds;
}

const before = await alone(1);
const stack = await startTestStack({ comfyStepMs: 5, env: { LOG_LEVEL: 'info' } });
let atelier = 0;
let events = 0;
try {
  const { character } = await createCharacter(stack, 'Bench', images);
  const id = await startTraining(stack, { characterId: character.id, preset: 'quick', advanced, samplePrompts: prompts });
  await until('the training to finish', async () => (await eventsOf(stack, id, 'training.finished')).length > 0, 1_800_000, 500);
  const [started] = await eventsOf(stack, id, 'training.started');
  const [finished] = await eventsOf(stack, id, 'training.finished');
  atelier = (new Date(finished!.time).getTime() - new Date(started!.time).getTime()) / 1000;
  events = Number((await stack.sql`SELECT count(*)::int AS n FROM events WHERE job_id = ${id} AND type LIKE 'training.%'`)[0]!.n);
  await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  await waitForStatus(stack, id, ['CANCELLED', 'COMPLETED'], 120_000).catch(() => {});
} finally {
  await stack.stop();
}
const after = await alone(2);
const baseline = (before + after) / 2;
const ratio = baseline / atelier;
console.log(`\nbench:train — the demo trainer, ${STEPS} steps (checkpoint every 50, samples every 100), ${images.length} images, on this machine's CPU`);
console.log(`  trainer alone:        ${before.toFixed(1)} s before, ${after.toFixed(1)} s after → ${baseline.toFixed(1)} s (${(STEPS / baseline).toFixed(2)} steps/s)`);
console.log(`  through Atelier:      ${atelier.toFixed(1)} s from the trainer's start to its LoRA in the artifact store (${(STEPS / atelier).toFixed(2)} steps/s, ${events} training events)`);
console.log(`  trainer alone ÷ through Atelier: ${ratio.toFixed(3)}   target ≥ 0.98  ${ratio >= 0.98 ? 'MET' : 'NOT MET'}`);
process.exit(0);

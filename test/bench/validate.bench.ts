// npm run bench:validate — each scene check on 1024 × 1024 PNGs against decoding the check's own output PNG alone
// (sharp to raw samples), in the same run. Each round times decode and check alternately three times and keeps the
// fastest of each (a pre-empted run is dropped), so a busy machine slows both alike; figures are medians over the
// rounds, with the spread of the per-round ratios. Target: ratio ≤ 1.2. Printed, never asserted. "warm": the step's input (and mask) already decoded, as the imaging activities keep them for every
// attempt of a step; "cold": the first attempt, which decodes the input too (in parallel with the output).
import os from 'node:os';
import sharp from 'sharp';
import { checkStepOutput, type CheckSources, type StepCheck } from '../../activities/imaging/validate.ts';
import { decodeMask, decodeRaster, rasterCache } from '../../activities/imaging/raster.ts';
import { DEFAULT_THRESHOLDS } from '../../workflows/scene-plan.ts';
import { pictureSet, SIDE, WIDE, type PictureSet } from './scene-pictures.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REPEATS = 3;

interface Case { label: string; check: StepCheck; output: (set: PictureSet) => Buffer; needsInput: boolean; masked?: boolean }
const CASES: Case[] = [
  { label: 'EXTRACT   target on white', check: { type: 'EXTRACT', thresholds: DEFAULT_THRESHOLDS.EXTRACT }, output: (s) => s.extracted, needsInput: false },
  { label: 'REMOVE    plate, pasted back (ComfyUI)', check: { type: 'REMOVE', thresholds: DEFAULT_THRESHOLDS.REMOVE }, output: (s) => s.plate, needsInput: true, masked: true },
  { label: 'REMOVE    plate, redrawn (images.edit)', check: { type: 'REMOVE', thresholds: DEFAULT_THRESHOLDS.REMOVE }, output: (s) => s.redrawnPlate, needsInput: true, masked: true },
  { label: 'BG_REMOVE cut-out with alpha', check: { type: 'BG_REMOVE', thresholds: DEFAULT_THRESHOLDS.BG_REMOVE }, output: (s) => s.cutout, needsInput: false },
  { label: `REFRAME   ${WIDE} × ${SIDE}, original kept`, check: { type: 'REFRAME', thresholds: DEFAULT_THRESHOLDS.REFRAME, reframe: { left: 400, top: 0 }, aspect: WIDE / SIDE }, output: (s) => s.reframed, needsInput: true },
];

interface Sample { wall: number; cpu: number }
async function timed(run: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run();
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** the fastest of REPEATS runs of each, alternating */
async function round(runs: (() => Promise<unknown>)[]): Promise<Sample[]> {
  const best = runs.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (let i = 0; i < REPEATS; i++) {
    for (const [k, run] of runs.entries()) {
      const sample = await timed(run);
      best[k] = { wall: Math.min(best[k]!.wall, sample.wall), cpu: Math.min(best[k]!.cpu, sample.cpu) };
    }
  }
  return best;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const median = (values: number[]) => quantile(values, 0.5);
const f = (value: number, digits = 2) => value.toFixed(digits);

async function measureSet(set: PictureSet) {
  const cache = rasterCache();
  const warm: CheckSources = {
    inputSize: { width: SIDE, height: SIDE },
    input: () => cache('source', () => decodeRaster(set.source)),
    mask: () => cache('mask', () => decodeMask(set.mask)),
  };
  const cold: CheckSources = { inputSize: warm.inputSize, input: () => decodeRaster(set.source), mask: () => decodeMask(set.mask) };
  const sources = (base: CheckSources, c: Case): CheckSources => ({ ...base, mask: c.masked ? base.mask : undefined });
  await warm.input();
  await warm.mask!();
  const runs = CASES.map((c) => ({
    c,
    decode: () => sharp(c.output(set)).raw().toBuffer(),
    warm: () => checkStepOutput(c.check, c.output(set), sources(warm, c)),
    cold: () => checkStepOutput(c.check, c.output(set), sources(cold, c)),
    samples: { decode: [] as Sample[], warm: [] as Sample[], cold: [] as Sample[] },
  }));
  for (const run of runs) for (let i = 0; i < 3; i++) await round([run.decode, run.warm, run.cold]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const run of runs) {
      const [decode, warm, cold] = await round(run.c.needsInput ? [run.decode, run.warm, run.cold] : [run.decode, run.warm]);
      run.samples.decode.push(decode!);
      run.samples.warm.push(warm!);
      if (cold) run.samples.cold.push(cold);
    }
  }
  const outcomes = await Promise.all(runs.map((run) => run.warm()));
  process.stdout.write(`\n${set.name === 'flat' ? 'flat colours, faint noise (decoding is cheap: the hardest case for the ratio)' : 'photo-like noise on every channel (decoding costs what it does on real pictures)'}\n`);
  process.stdout.write(`${'check'.padEnd(40)} ${'decode'.padStart(7)} ${'warm'.padStart(7)} ${'ratio'.padStart(6)} ${'p25–p75'.padStart(10)} ${'cpu'.padStart(5)}   ${'cold'.padStart(7)} ${'ratio'.padStart(6)}   outcome\n`);
  for (const [index, run] of runs.entries()) {
    const { decode, warm: w, cold: c } = run.samples;
    const ratios = w.map((s, i) => s.wall / decode[i]!.wall);
    const cpuRatios = w.map((s, i) => s.cpu / Math.max(decode[i]!.cpu, 1e-3));
    const coldCells = c.length ? `${f(median(c.map((s) => s.wall)), 1).padStart(7)} ${f(median(c.map((s, i) => s.wall / decode[i]!.wall))).padStart(6)}` : `${'–'.padStart(7)} ${'–'.padStart(6)}`;
    process.stdout.write(`${run.c.label.padEnd(40)} ${f(median(decode.map((s) => s.wall)), 1).padStart(7)} ${f(median(w.map((s) => s.wall)), 1).padStart(7)} ${f(median(ratios)).padStart(6)} ${`${f(quantile(ratios, 0.25))}–${f(quantile(ratios, 0.75))}`.padStart(10)} ${f(median(cpuRatios)).padStart(5)}   ${coldCells}   ${outcomes[index]!.passed ? 'passes' : 'fails'}\n`);
  }
}

const loadBefore = os.loadavg()[0]!;
process.stdout.write(`scene checks on ${SIDE} × ${SIDE} PNGs, ${ROUNDS} rounds of the fastest of ${REPEATS}; times in ms (medians); ratio = check ÷ decoding its output PNG alone\n`);
process.stdout.write(`(cpu: the same ratio in process CPU time, which other programs on the machine disturb less; cold "–": the check reads only the input's size)\n`);
for (const name of ['flat', 'photo'] as const) await measureSet(await pictureSet(name));
process.stdout.write(`\ntarget: warm ratio ≤ 1.2. Load average (1 min) ${f(loadBefore)} before, ${f(os.loadavg()[0]!)} after, on ${os.cpus().length} cores; libvips threads: ${sharp.concurrency()}\n`);

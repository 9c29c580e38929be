// One scene step at a time: prepare (masks, the input), run on the job's backend, check the pixels, then keep it,
// retry automatically with the next variation, or wait for a person. Then the export of what was kept.
import { ActivityCancellationType, condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { ImagingActivities, PreparedStep } from '../activities/imaging.ts';
import type { ImageEditActivities } from '../activities/image-edit.ts';
import type { ComfyActivities } from '../activities/comfy.ts';
import type { SceneActivities } from '../activities/scene.ts';
import { gpuTaskQueue, type AssetRef, GPU_PROMPT_HEARTBEAT_SECONDS } from './messages.ts';
import { describeFailure } from './lifecycle.ts';
import type { ReviewLoop } from './review.ts';
import { nextVariation } from './scene-plan.ts';
import type { AttemptOrigin, SceneAttempt, SceneState, SceneStep } from './scene-state.ts';
import { recordDecision, reviewRequestFor, usedPrompts } from './scene-steps.ts';

const imaging = proxyActivities<ImagingActivities>({ startToCloseTimeout: '5 minutes', retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 5 } });
const edits = proxyActivities<ImageEditActivities>({ startToCloseTimeout: '10 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 } });
const llm = proxyActivities<SceneActivities>({ startToCloseTimeout: '15 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 } });

interface RunnerContext { jobId: string; state: SceneState; reviews: ReviewLoop; title: string; stage: (name: string, details: string) => Promise<void> }

interface Try { prompt: string; origin: AttemptOrigin; manualMask?: string; bgRemove?: boolean }

export function stepRunner(ctx: RunnerContext) {
  const { jobId, state, reviews } = ctx;
  const options = state.options!;
  const gpu = proxyActivities<ComfyActivities>({
    taskQueue: gpuTaskQueue(options.pool || 'default'), startToCloseTimeout: '2 hours', heartbeatTimeout: `${GPU_PROMPT_HEARTBEAT_SECONDS} seconds`,
    retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 60 }, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  let notes = '';
  /** where each kept layer sits on the final canvas: REFRAME moves everything made before it */
  const offsets = new Map<string, { left: number; top: number }>();

  const lastLayer = (before: SceneStep) => {
    const index = state.steps.indexOf(before);
    return state.steps.slice(0, index).reverse().find((s) => (s.type === 'EXTRACT' || s.type === 'BG_REMOVE') && s.kept !== undefined);
  };

  async function runBackend(step: SceneStep, type: SceneStep['type'], prepared: PreparedStep, prompt: string, name: string): Promise<AssetRef> {
    if (options.backend === 'openai') {
      return edits.editWithOpenAi({ jobId, stepId: step.id, name, type, image: prepared.image, mask: type === 'EXTRACT' ? undefined : prepared.mask, prompt });
    }
    const seed = (state.steps.indexOf(step) + 1) * 1000 + step.history.length;
    const run = (template: string, values: Record<string, unknown>) => gpu.runComfyPrompt({ jobId, step: name, template, kind: 'layers', values }).then((assets) => assets[0]!);
    if (type === 'EXTRACT') return run('scene-bg-remove', { image: prepared.image.id, background: 'Color', backgroundColor: '#ffffff' });
    if (type === 'BG_REMOVE') return run('scene-bg-remove', { image: prepared.image.id, background: 'Alpha' });
    if (type === 'REFRAME') {
      const r = prepared.reframe!;
      const input = step.history.at(-1)!.input;
      return run('scene-outpaint', { image: prepared.image.id, prompt, seed, left: r.left, top: r.top, right: r.width - r.left - (input.width ?? 0), bottom: r.height - r.top - (input.height ?? 0) });
    }
    if (!prepared.mask) throw new Error('a REMOVE on ComfyUI inpaints inside a mask: retry with a mask (or plan the step with mask AUTO)');
    return run('scene-inpaint', { image: prepared.image.id, mask: prepared.mask.id, prompt, seed });
  }

  async function attempt(step: SceneStep, attemptTry: Try): Promise<SceneAttempt> {
    const n = step.history.length + 1;
    const name = `${step.id}-${n}`;
    const input = state.plate!;
    const record: SceneAttempt = { n, startedAt: new Date().toISOString(), origin: attemptTry.origin, prompt: attemptTry.prompt, backend: options.backend, mask: attemptTry.manualMask ? 'MANUAL' : step.plan.mask, input, metrics: [] };
    step.history.push(record);
    step.attempts = n;
    step.status = 'running';
    try {
      let image = input;
      if (attemptTry.bgRemove) {
        const cutout = await runBackend(step, 'BG_REMOVE', { image: input }, `${step.target} with the background removed (transparent background)`, `${name}-bg`);
        image = await imaging.flattenOnWhite({ jobId, stepId: step.id, name, image: cutout });
        record.bgRemoved = true;
      }
      const layer = step.plan.mask === 'AUTO' ? lastLayer(step) : undefined;
      const prepared = await imaging.prepareSceneStep({
        jobId, stepId: step.id, name, type: step.plan.type, input: image, aspect: step.plan.aspect, padCanvas: options.backend === 'openai', snap: options.backend === 'comfyui' ? 8 : 1,
        mask: { mode: step.plan.mask, manualAssetId: attemptTry.manualMask, layer: layer?.assets[0], layerOffset: layer ? offsets.get(layer.id) : undefined, dilate: step.plan.maskDilate },
      });
      record.maskAsset = prepared.mask && step.plan.type !== 'REFRAME' ? prepared.mask : undefined;
      const prompt = notes ? `${attemptTry.prompt}\nScene notes: ${notes}` : attemptTry.prompt;
      record.output = await runBackend(step, step.plan.type, prepared, prompt, name);
      const check = await imaging.validateSceneStep({ type: step.plan.type, input: image, output: record.output, mask: record.maskAsset, thresholds: step.plan.thresholds, reframe: prepared.reframe, aspect: step.plan.aspect });
      record.metrics = check.metrics;
      record.passed = check.passed;
      if (prepared.reframe) step.offset = { left: prepared.reframe.left, top: prepared.reframe.top };
    } catch (error) {
      if (isCancellation(error)) throw error;
      record.error = describeFailure(error);
      record.passed = false;
    }
    record.finishedAt = new Date().toISOString();
    return record;
  }

  function keep(step: SceneStep, kept: SceneAttempt): void {
    step.status = 'done';
    step.kept = kept.n;
    step.assets = kept.output ? [kept.output] : [];
    if (kept.output) state.assets.push(kept.output);
    if (step.type === 'EXTRACT' || step.type === 'BG_REMOVE') offsets.set(step.id, { left: 0, top: 0 });
    if ((step.type === 'REMOVE' || step.type === 'REFRAME') && kept.output) state.plate = kept.output;
    if (step.type === 'REFRAME' && kept.output) {
      state.canvas = { width: kept.output.width ?? 0, height: kept.output.height ?? 0 };
      for (const [id, at] of offsets) offsets.set(id, { left: at.left + (step.offset?.left ?? 0), top: at.top + (step.offset?.top ?? 0) });
    }
  }

  async function runStep(step: SceneStep, index: number): Promise<void> {
    const position = `${index + 1}/${state.steps.length}`;
    await ctx.stage('running', `step ${position}: ${step.plan.type} ${step.target} (${ctx.title})`);
    if (step.plan.type === 'ANALYZE') {
      const record: SceneAttempt = { n: 1, startedAt: new Date().toISOString(), origin: 'plan', prompt: step.plan.prompt, backend: options.backend, mask: 'NONE', input: state.plate!, metrics: [] };
      step.history.push(record);
      step.attempts = 1;
      step.status = 'running';
      record.notes = (await llm.analyzeScene({ jobId, stepId: step.id, image: state.plate!, prompt: step.plan.prompt })).notes;
      notes = [notes, record.notes].filter(Boolean).join(' ');
      record.passed = true;
      record.finishedAt = new Date().toISOString();
      step.status = 'done';
      step.kept = 1;
      return;
    }
    let next: Try = { prompt: step.plan.prompt, origin: 'plan' };
    if (step.plan.mask === 'MANUAL') {
      step.status = 'awaiting-review';
      await ctx.stage('awaiting-review', `step ${position} needs a mask: ${ctx.title}`);
      const frame = state.plate!;
      const record = await reviews.waitFor({
        stepId: step.id, kind: 'step', title: `Step ${position}: ${step.plan.type} ${step.target}`, reason: 'This step works inside a mask you give: draw or upload one (white = where to work), or skip the step.',
        decisions: ['mask', 'skip'], suggestedPrompt: step.plan.prompt, assets: [frame], maskFor: { assetId: frame.id, width: frame.width ?? 0, height: frame.height ?? 0 }, detail: { type: step.plan.type, attempt: 0 },
      });
      if (record.decision === 'skip') return void (step.status = 'skipped');
      next = { prompt: record.prompt ?? step.plan.prompt, origin: 'review', manualMask: record.maskAssetId };
      await ctx.stage('running', `step ${position}: ${step.plan.type} ${step.target} (${ctx.title})`);
    }
    let autoLeft = options.autoRetries;
    for (;;) {
      await condition(() => !state.paused);
      const done = await attempt(step, next);
      if (done.passed && options.review === 'failed') return keep(step, done);
      const variation = nextVariation(step.plan, usedPrompts(step));
      if (!done.passed && !done.error && autoLeft > 0 && variation) {
        autoLeft--;
        next = { prompt: variation, origin: 'auto-retry', manualMask: next.manualMask };
        continue;
      }
      step.status = 'awaiting-review';
      await ctx.stage('awaiting-review', `step ${position} waits for a person: ${ctx.title}`);
      const record = await reviews.waitFor(reviewRequestFor(step, done, position));
      recordDecision(done, record);
      await ctx.stage('running', `step ${position}: ${step.plan.type} ${step.target} (${ctx.title})`);
      switch (record.decision) {
        case 'approve': case 'accept':
          if (!done.output) { step.status = 'skipped'; return; }
          return keep(step, done);
        case 'skip':
          step.status = 'skipped';
          return;
        case 'mask':
          next = { prompt: record.prompt ?? done.prompt, origin: 'review', manualMask: record.maskAssetId };
          break;
        case 'bg-remove':
          next = { prompt: record.prompt ?? done.prompt, origin: 'review', manualMask: next.manualMask, bgRemove: true };
          break;
        default:
          next = { prompt: record.prompt ?? done.prompt, origin: 'review', manualMask: next.manualMask };
      }
    }
  }

  async function exportAll() {
    const layers = state.steps.filter((s) => (s.type === 'EXTRACT' || s.type === 'BG_REMOVE') && s.kept !== undefined && s.assets[0]).map((s) => {
      const at = offsets.get(s.id) ?? { left: 0, top: 0 };
      return { name: `${s.plan.target} (${s.id})`, asset: s.assets[0]!, onWhite: s.type === 'EXTRACT', x: at.left, y: at.top };
    });
    let source = { left: 0, top: 0 };
    for (const s of state.steps) if (s.type === 'REFRAME' && s.kept !== undefined && s.offset) source = { left: source.left + s.offset.left, top: source.top + s.offset.top };
    const manifest = {
      pipeline: 'scene', jobId, title: ctx.title, backend: options.backend, summary: state.plan?.summary, globalRules: state.plan?.globalRules,
      steps: state.steps.map((s) => ({ id: s.id, type: s.type, target: s.target, status: s.status, kept: s.kept ?? null, prompt: s.plan.prompt, variations: s.plan.variations, thresholds: s.plan.thresholds,
        attempts: s.history.map((a) => ({ n: a.n, origin: a.origin, prompt: a.prompt, backend: a.backend, mask: a.mask, passed: a.passed ?? null, error: a.error ?? null, metrics: a.metrics, output: a.output?.id ?? null, decision: a.decision ?? null, notes: a.notes ?? null })) })),
    };
    return imaging.exportScene({ jobId, canvas: state.canvas!, layers, plate: { asset: state.plate!, x: 0, y: 0 }, source: { asset: state.source!, x: source.left, y: source.top }, manifest });
  }

  return Object.assign(runStep, { exportAll });
}

// The `sprites` pipeline: prompts × variants → frames generated on a GPU pool (a window of prompts kept queued at
// ComfyUI) → pixelated on the CPU workers → a person keeps, discards or regenerates each → kept sprites join the
// project's library → written into a Bevy project's assets/ when a deploy target was given.
import {
  proxyActivities, proxyLocalActivities, workflowInfo, isCancellation, CancellationScope, uuid4, setCurrentDetails,
  ActivityCancellationType, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { ComfyActivities } from '../activities/comfy.ts';
import type { SpritesActivities, RegisteredSprites } from '../activities/sprites.ts';
import type { ImagingActivities } from '../activities/imaging.ts';
import type { BevyActivities } from '../activities/bevy.ts';
import type { SpritesInput } from '../core/sprites-input.ts';
import { gpuTaskQueue, type ReviewMetric, type StepStatus, GPU_PROMPT_HEARTBEAT_SECONDS } from './messages.ts';
import { describeFailure, handleMessages, markEnded, recordEnd, recordPauses, stageShower } from './lifecycle.ts';
import { reviewEvents, reviewLoop, type ReviewRequest } from './review.ts';
import { promptWindow } from './prompt-window.ts';
import { followPoolCapacity } from './pool-capacity.ts';
import type { SpritesState, SpriteState, SpriteStatus } from './sprites-state.ts';

const jobs = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });
const records = proxyActivities<SpritesActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 20 } });
const imaging = proxyActivities<ImagingActivities>({ startToCloseTimeout: '5 minutes', retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 10 } });
const bevy = proxyActivities<BevyActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '20 seconds', maximumAttempts: 10 } });

const STEP_STATUS: Record<SpriteStatus, StepStatus> = {
  pending: 'pending', generating: 'running', pixelating: 'running', 'awaiting-review': 'awaiting-review', kept: 'done', discarded: 'skipped', failed: 'failed', cancelled: 'cancelled',
};
const SEED_RANGE = 2 ** 32;
const ACTIVE: SpriteStatus[] = ['pending', 'generating', 'pixelating'];

export async function spritesWorkflow(input: SpritesInput): Promise<SpritesState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: SpritesState = { pipeline: 'sprites', stage: 'registering', status: 'RUNNING', paused: false, steps: [], assets: [], awaitingReview: [], sprites: [] };
  handleMessages(state);
  let project = 'default';
  let title = '';
  const showStage = stageShower(state, () => project);
  const reviews = reviewLoop(state, reviewEvents(jobId, jobs, () => (state.awaitingReview.length ? 'awaiting-review' : 'generating')));
  let window: ReturnType<typeof promptWindow> | undefined;

  const details = () => {
    const count = (status: SpriteStatus) => state.sprites.filter((s) => s.status === status).length;
    return `${count('kept')} kept, ${count('awaiting-review')} awaiting review, ${state.sprites.filter((s) => ACTIVE.includes(s.status)).length} in the works of ${state.sprites.length}: ${title}`;
  };
  const sync = (sprite: SpriteState) => {
    const step = state.steps.find((s) => s.id === sprite.id)!;
    Object.assign(step, { status: STEP_STATUS[sprite.status], attempts: sprite.attempts, assets: [sprite.preview, sprite.sprite, sprite.tilePreview].filter(Boolean), error: sprite.error });
    const stage = state.sprites.some((s) => ACTIVE.includes(s.status)) ? 'generating' : state.sprites.some((s) => s.status === 'awaiting-review') ? 'awaiting-review' : state.stage;
    if (stage !== state.stage) showStage(stage, details());
    else setCurrentDetails(details());
  };

  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const plan: RegisteredSprites = await records.registerSprites(input, { correlationId, randomSeed: parseInt(uuid4().slice(0, 8), 16) });
    const { settings, generation, words, pixelate } = plan;
    title = plan.title;
    project = settings.project;
    state.settings = settings;
    state.sprites = plan.sprites.map((s) => ({ ...s, status: 'pending', attempts: 0, sources: [] }));
    state.steps = state.sprites.map((s) => ({ id: s.id, label: s.label, status: 'pending', attempts: 0, assets: [] }));
    recordPauses(jobId, state, jobs);
    showStage('generating', details());

    const gpu = proxyActivities<ComfyActivities>({
      taskQueue: gpuTaskQueue(generation.pool),
      startToCloseTimeout: '2 hours',
      heartbeatTimeout: `${GPU_PROMPT_HEARTBEAT_SECONDS} seconds`,
      // about half an hour of retries: a GPU box that reboots or a ComfyUI that restarts gets the job back
      retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 60 },
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
    const promptOf = (sprite: SpriteState, frame: number) => [words.style, sprite.prompt, words.categories[sprite.category], sprite.frames > 1 ? `animation frame ${frame + 1} of ${sprite.frames}, same character and palette in every frame` : '']
      .filter(Boolean).join(', ');

    const reviewOf = (sprite: SpriteState): ReviewRequest => {
      const metrics: ReviewMetric[] = [{ name: 'colours', label: 'Colours', value: sprite.colours ?? 0, max: settings.palette.kind === 'auto' ? settings.palette.colours : undefined, pass: true }];
      if (sprite.category !== 'tile') metrics.push({ name: 'background', label: 'Background removed', value: Math.round((sprite.keyedShare ?? 0) * 100), unit: '%', pass: (sprite.keyedShare ?? 0) > 0 });
      if (sprite.seams) metrics.push({ name: 'seam', label: 'Seam against inner edges', value: Number(sprite.seams.ratio.toFixed(2)), max: 1.5, pass: sprite.seams.seamless });
      const reason = sprite.seams && !sprite.seams.seamless ? 'the tile’s edges do not match: it will show a seam when repeated'
        : sprite.notes?.length ? sprite.notes.join('; ') : 'keep it for the game, discard it, or make it again';
      return {
        stepId: sprite.id, kind: 'sprite', title: `${sprite.label}${sprite.attempts > 1 ? ` (attempt ${sprite.attempts})` : ''}`, reason,
        decisions: ['keep', 'discard', 'regenerate'], metrics, suggestedPrompt: sprite.prompt,
        assets: [sprite.preview, sprite.sprite, sprite.tilePreview].filter((a) => a !== undefined),
        detail: { prompt: sprite.prompt, category: sprite.category, frames: sprite.frames, grid: settings.grid, atlas: sprite.atlas ?? null, colours: sprite.colours, palette: settings.paletteLabel, previewFactor: sprite.previewFactor, sources: sprite.sources, name: sprite.baseName },
      };
    };

    const makeSprite = async (sprite: SpriteState) => {
      for (;;) {
        sprite.attempts += 1;
        sprite.status = 'generating';
        sync(sprite);
        const seed = (sprite.seed + (sprite.attempts - 1) * 15_485_863) % SEED_RANGE;
        const frames = await Promise.all(Array.from({ length: sprite.frames }, (_, frame) => window!.submit(() => gpu.runComfyPrompt({
          jobId, step: `${sprite.id}-a${sprite.attempts}-f${frame + 1}`, template: generation.template, kind: 'generations',
          values: { prompt: promptOf(sprite, frame), negativePrompt: generation.negativePrompt, width: generation.width, height: generation.height, steps: generation.steps, seed, lora: generation.lora, loraStrength: generation.lora ? generation.loraStrength : undefined },
        }))));
        sprite.sources = frames.flat();
        state.assets.push(...sprite.sources);
        sprite.status = 'pixelating';
        sync(sprite);
        const made = await imaging.pixelateSprite({
          jobId, spriteId: sprite.id, attempt: sprite.attempts, sources: sprite.sources.map((a) => a.path), grid: settings.grid,
          tile: sprite.category === 'tile', ground: sprite.category === 'character', ...pixelate, outline: settings.outline, palette: settings.palette,
        });
        Object.assign(sprite, { sprite: made.sprite, preview: made.preview, tilePreview: made.tilePreview, previewFactor: made.previewFactor, atlas: made.atlas, colours: made.colours, keyedShare: made.keyedShare, seams: made.seams, notes: made.notes });
        state.assets.push(...[made.sprite, made.preview, made.tilePreview].filter((a) => a !== undefined));
        if (!settings.review) {
          sprite.status = 'kept';
          return sync(sprite);
        }
        sprite.status = 'awaiting-review';
        sync(sprite);
        const decision = await reviews.waitFor(reviewOf(sprite));
        if (decision.decision === 'keep' || decision.decision === 'discard') {
          sprite.status = decision.decision === 'keep' ? 'kept' : 'discarded';
          return sync(sprite);
        }
        if (decision.prompt?.trim()) sprite.prompt = decision.prompt.trim();
      }
    };

    // a sprite whose images fail (after the GPU retries) fails the job: the others are cancelled first
    await CancellationScope.cancellable(async () => {
      const scope = CancellationScope.current();
      // the window follows the pool's live slots while frames wait their turn
      const capacity = await followPoolCapacity({
        jobId, pool: generation.pool, initial: plan.window,
        waiting: () => window?.waiting() ?? false, inFlight: () => window?.inFlight.size ?? 0, settled: () => window?.settled() ?? 0,
      });
      window = promptWindow({ size: capacity.size, paused: () => state.paused });
      let failure: unknown;
      let cancelled: unknown;
      await Promise.all(state.sprites.map((sprite) => makeSprite(sprite).catch((error) => {
        if (isCancellation(error)) return void (cancelled ??= error);
        if (failure === undefined) Object.assign(sprite, { status: 'failed', error: describeFailure(error) });
        failure ??= error;
        scope.cancel();
      })));
      await window.close();
      await capacity.close();
      if (failure !== undefined) throw failure;
      if (cancelled !== undefined) throw cancelled;
    });

    const kept = state.sprites.filter((s) => s.status === 'kept');
    showStage('keeping', details());
    await jobs.recordStage(jobId, 'keeping');
    if (kept.length) {
      const names = await records.keepSprites(jobId, settings, kept);
      for (const sprite of kept) sprite.fileName = names[sprite.id];
    }
    if (settings.deploy && kept.length) {
      showStage('deploying', `deploying ${kept.length} sprite(s) into ${settings.deploy.project}`);
      await jobs.recordStage(jobId, 'deploying');
      try {
        state.deployment = await bevy.deploySprites({
          jobId, project: settings.deploy.project, force: settings.deploy.force, dryRun: false,
          sprites: kept.map((s) => ({ spriteId: s.id, name: s.fileName!, category: s.category, assetPath: s.sprite!.path, atlas: s.atlas ?? null })),
        });
      } catch (error) {
        if (isCancellation(error)) throw error;
        state.deployment = { project: settings.deploy.project, error: describeFailure(error) };
        await jobs.recordEvent(jobId, 'sprites.deploy-failed', { project: settings.deploy.project, error: state.deployment.error }, { level: 'error', dedupeKey: 'sprites.deploy-failed' });
      }
    }

    state.stage = 'completed';
    state.status = 'COMPLETED';
    setCurrentDetails(details());
    upsertSearchAttributes({ AtelierStage: ['completed'] });
    await jobs.finishJob(jobId, 'COMPLETED', { assets: kept.length });
    return state;
  } catch (error) {
    markEnded(state, error);
    for (const request of [...state.awaitingReview]) reviews.withdraw(request.stepId);
    for (const sprite of state.sprites) {
      // the sprite whose images failed says so; the others were stopped because of it (or of a cancel)
      if (ACTIVE.includes(sprite.status) || sprite.status === 'awaiting-review') sprite.status = 'cancelled';
      const step = state.steps.find((s) => s.id === sprite.id);
      if (step) step.status = STEP_STATUS[sprite.status];
    }
    await recordEnd(jobId, state, { jobs, pipeline: 'sprites', project, assets: state.sprites.filter((s) => s.status === 'kept').length, settle: () => Promise.allSettled([...(window?.inFlight ?? [])]) });
    throw error;
  }
}

// LoRAs: start a training, presets and the time estimate, trained LoRAs (the generate page's selector), a training
// job's trainer status and log, synthetic images for a trained character.
import { Router } from 'express';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { synthesisRequestSchema, trainRequestSchema } from '../../core/lora-input.ts';
import { describeSettings, estimateSeconds, OPTIMIZERS, PRECISIONS, PRESETS, resolveSettings, SCHEDULERS } from '../../core/lora-settings.ts';
import { tooSmallToTrain } from '../../core/character-input.ts';
import { MAIN_TASK_QUEUE } from '../../workflows/messages.ts';
import { jobIdParam, temporalWebUrl } from './jobs.ts';
import { trainerStatus } from '../trainer-status.ts';
import type { LoraContext } from '../lora-context.ts';

const estimateQuery = z.object({
  characterId: z.string().optional(),
  preset: z.string().default('quick'),
  pool: z.string().max(40).optional(),
  steps: z.coerce.number().optional(),
  resolution: z.coerce.number().optional(),
  batchSize: z.coerce.number().optional(),
}).strict();

export function loraRoutes(ctx: ApiContext, lora: LoraContext): Router {
  const router = Router();
  const pools = () => Object.keys(ctx.config.gpuPools);
  const defaultPool = () => ctx.config.defaultPool ?? pools()[0];

  async function start(req: { body: unknown; correlationId?: string; log: { info: (o: object, m: string) => void } }, workflow: string, args: Record<string, unknown>, title: string, summary: Record<string, unknown>, prefix: string) {
    const id = `${prefix}-${crypto.randomUUID()}`;
    await ctx.jobs.register({ id, pipeline: 'lora', title, stage: 'queued', inputSummary: summary, project: args.project as string | undefined, correlationId: req.correlationId });
    const handle = await ctx.temporal.workflow.start(workflow, {
      taskQueue: MAIN_TASK_QUEUE, workflowId: id, args: [args], memo: { correlationId: req.correlationId },
      searchAttributes: { AtelierPipeline: ['lora'], AtelierStage: ['queued'], AtelierProject: [String(args.project ?? 'default')] },
    }).catch(async (error) => {
      await ctx.jobs.update(id, { status: 'FAILED', stage: 'failed', error: `the workflow could not be started: ${(error as Error).message}` });
      throw error;
    });
    req.log.info({ jobId: id }, `${workflow} started`);
    return { id, runId: handle.firstExecutionRunId, links: { job: `/api/jobs/${id}`, events: `/api/jobs/${id}/events`, temporal: temporalWebUrl(ctx, id) } };
  }

  router.get('/loras/presets', (_req, res) => {
    res.json({ presets: Object.entries(PRESETS).map(([id, p]) => ({ id, ...p, settings: resolveSettings(id as keyof typeof PRESETS) })), optimizers: OPTIMIZERS, schedulers: SCHEDULERS, precisions: PRECISIONS });
  });

  router.get('/loras', async (_req, res) => {
    const trained = await lora.loras.list();
    const files = await fs.readdir(path.join(ctx.config.dataDir, 'loras')).catch(() => [] as string[]);
    const known = new Set(trained.map((l) => `${l.name}.safetensors`));
    res.json({
      loras: [
        ...trained.map((l) => ({ name: `${l.name}.safetensors`, title: `${l.characterName} · ${l.steps} steps`, characterId: l.characterId, characterName: l.characterName, triggerWord: l.triggerWord, steps: l.steps, bytes: l.bytes, baseModel: l.baseModel, arch: l.arch, jobId: l.jobId, host: l.host, createdAt: l.createdAt })),
        ...files.filter((f) => f.endsWith('.safetensors') && !known.has(f)).sort().map((name) => ({ name, title: name.replace(/\.safetensors$/, '') })),
      ],
    });
  });

  router.get('/loras/estimate', async (req, res) => {
    const parsed = estimateQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const q = parsed.data;
    const body = { preset: q.preset, advanced: Object.fromEntries(Object.entries({ steps: q.steps, resolution: q.resolution, batchSize: q.batchSize }).filter(([, v]) => v !== undefined)), characterId: 'ch_000000000000' };
    const checked = trainRequestSchema.safeParse(body);
    if (!checked.success) throw badRequest(describeIssues(checked.error));
    const pool = q.pool ?? defaultPool();
    const settings = resolveSettings(checked.data.preset, checked.data.advanced);
    const earlier = pool ? await lora.loras.speeds(pool) : [];
    const seconds = estimateSeconds(settings, earlier);
    res.json({ pool, settings, summary: describeSettings(settings), seconds: seconds ?? null, basedOn: earlier.length, message: seconds === undefined ? `no earlier training on pool ${pool}: the first one measures its speed` : `from ${earlier.length} earlier training${earlier.length === 1 ? '' : 's'} on pool ${pool}` });
  });

  router.post('/loras', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object such as {"characterId": "ch_…", "preset": "quick"}');
    const parsed = trainRequestSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    if (input.pool && !pools().includes(input.pool)) throw badRequest(`unknown GPU pool "${input.pool}": choose one of ${pools().join(', ')}`);
    const character = await lora.characters.get(input.characterId);
    if (!character) throw notFound(`no character "${input.characterId}": list them with GET /api/characters`);
    const images = await lora.characters.imagesOf(character.id);
    if (!images.length) throw new HttpError(409, `character "${character.name}" has no images: add photos first (at least one; 10–30 is better)`);
    if (!images.some((i) => !tooSmallToTrain(i.width, i.height))) throw new HttpError(409, `character "${character.name}" has no image large enough to train on (the shorter side must be at least 512 px): add larger photos`);
    const settings = resolveSettings(input.preset, input.advanced);
    const title = input.title || `LoRA for ${character.name} (${input.preset})`;
    const started = await start(req, 'loraWorkflow', req.body as Record<string, unknown>, title, { kind: 'train', ...input, characterName: character.name, settings, summary: describeSettings(settings) }, 'lora');
    res.status(202).json({ ...started, settings, summary: describeSettings(settings) });
  });

  router.post('/characters/:id/synthesize', async (req, res) => {
    const parsed = synthesisRequestSchema.safeParse({ ...(req.body && typeof req.body === 'object' ? req.body : {}), characterId: req.params.id });
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const character = await lora.characters.get(parsed.data.characterId);
    if (!character) throw notFound(`no character "${parsed.data.characterId}"`);
    const trained = await lora.characters.lorasOf(character.id);
    if (!trained.length) throw new HttpError(409, `character "${character.name}" has no trained LoRA yet: train one first`);
    if (parsed.data.lora && !trained.some((l) => l.name === parsed.data.lora)) throw badRequest(`character "${character.name}" has no LoRA "${parsed.data.lora}": it has ${trained.map((l) => l.name).join(', ')}`);
    const started = await start(req, 'loraSynthesisWorkflow', parsed.data, `${parsed.data.count} synthetic image${parsed.data.count === 1 ? '' : 's'} of ${character.name}`, { kind: 'synthesize', ...parsed.data, characterName: character.name }, 'synth');
    res.status(202).json(started);
  });

  router.get('/loras/jobs', async (req, res) => {
    const character = typeof req.query.characterId === 'string' ? req.query.characterId : undefined;
    if (character && !/^ch_[0-9a-f]{12}$/.test(character)) throw badRequest('characterId must be a character id (GET /api/characters)');
    const rows = await ctx.database.sql`
      SELECT j.id, j.title, j.status, j.stage, j.error, j.input_summary, j.created_at, j.finished_at, l.name AS lora_name, l.steps AS lora_steps, l.seconds_per_step, l.host
      FROM jobs j LEFT JOIN loras l ON l.job_id = j.id
      WHERE j.pipeline = 'lora' AND j.input_summary->>'kind' = 'train' ${character ? ctx.database.sql`AND j.input_summary->>'characterId' = ${character}` : ctx.database.sql``}
      ORDER BY j.created_at DESC LIMIT 100`;
    res.json({ jobs: rows.map((r) => ({ id: r.id, title: r.title, status: r.status, stage: r.stage, error: r.error, characterId: r.input_summary.characterId, characterName: r.input_summary.characterName, summary: r.input_summary.summary ?? null, settings: r.input_summary.settings ?? null, createdAt: r.created_at, finishedAt: r.finished_at, lora: r.lora_name ? { name: r.lora_name, steps: r.lora_steps, secondsPerStep: r.seconds_per_step, host: r.host } : null })) });
  });

  router.get('/loras/jobs/:id/trainer', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const job = await ctx.jobs.get(id);
    try {
      res.json(await trainerStatus(ctx, id, (job?.inputSummary as { pool?: string } | undefined)?.pool ?? defaultPool()));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound(`no job "${id}"`);
      throw error;
    }
  });

  router.get('/loras/jobs/:id/log', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const offset = Math.max(0, Number(req.query.offset ?? 0) || 0);
    const file = ctx.store.absolute(ctx.store.relativeAssetPath(id, 'logs', 'trainer.log'));
    const handle = await fs.open(file, 'r').catch(() => undefined);
    if (!handle) return void res.json({ text: '', offset: 0, size: 0 });
    try {
      const { size } = await handle.stat();
      const start = Math.min(offset, size);
      const length = Math.min(size - start, 256 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, start);
      res.json({ text: buffer.toString('utf8'), offset: start + length, size });
    } finally {
      await handle.close();
    }
  });
  return router;
}

// ComfyUI templates (built-in and the user's folder) with their parameters; with ?pool=, what that pool's ComfyUI
// allows for each parameter and whether it can run each toggle. The LoRAs a job can use.
import { Router } from 'express';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApiContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { poolObjectInfo } from '../comfy-servers.ts';
import { describeTemplate, type ServerView } from '../../core/templates/describe.ts';

export function templateRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/templates', async (req, res) => {
    const { templates, errors } = await ctx.templates.snapshot();
    const pool = typeof req.query.pool === 'string' && req.query.pool ? req.query.pool : undefined;
    let server: { pool: string; ok: boolean; error?: string } | null = null;
    let view: ServerView | undefined;
    if (pool) {
      const pools = Object.keys(ctx.config.gpuPools);
      if (!pools.includes(pool)) throw badRequest(`unknown GPU pool "${pool}": choose one of ${pools.join(', ')}`);
      const classes = templates.flatMap((t) => Object.values(t.graph).map((n) => n.class_type));
      const { info, error } = await poolObjectInfo(ctx, pool, classes, { fresh: true });
      server = { pool, ok: Boolean(info), ...(error ? { error: `ComfyUI on pool ${pool} did not answer: ${error}` } : {}) };
      view = info && { pool, objectInfo: info };
    }
    res.json({ templates: templates.map((t) => describeTemplate(t, view)), errors, userFolder: ctx.config.templatesDir ?? null, server });
  });
  // LoRAs trained by the lora pipeline land in DATA_DIR/loras; until then the list is empty.
  router.get('/loras', async (_req, res) => {
    const files = await fs.readdir(path.join(ctx.config.dataDir, 'loras')).catch(() => [] as string[]);
    res.json({ loras: files.filter((f) => f.endsWith('.safetensors')).sort().map((name) => ({ name })) });
  });
  return router;
}

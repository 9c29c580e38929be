// ComfyUI templates (built-in and the user's folder) with their parameters; the LoRAs a job can use.
import { Router } from 'express';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApiContext } from '../context.ts';
import { describeTemplate, loadTemplates } from '../../activities/templates.ts';

export function templateRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/templates', async (_req, res) => {
    const { templates, errors } = await loadTemplates(ctx.config.templatesDir);
    res.json({ templates: templates.map(describeTemplate), errors, userFolder: ctx.config.templatesDir ?? null });
  });
  // LoRAs trained by the lora pipeline land in DATA_DIR/loras; until then the list is empty.
  router.get('/loras', async (_req, res) => {
    const files = await fs.readdir(path.join(ctx.config.dataDir, 'loras')).catch(() => [] as string[]);
    res.json({ loras: files.filter((f) => f.endsWith('.safetensors')).sort().map((name) => ({ name })) });
  });
  return router;
}

// ComfyUI templates (built-in and the user's folder) with their parameters (the LoRAs a job can use: routes/loras.ts).
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { describeTemplate, loadTemplates } from '../../activities/templates.ts';

export function templateRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/templates', async (_req, res) => {
    const { templates, errors } = await loadTemplates(ctx.config.templatesDir);
    res.json({ templates: templates.map(describeTemplate), errors, userFolder: ctx.config.templatesDir ?? null });
  });
  return router;
}

// GET /jobs/:id/debug-bundle: a ZIP with what is known about one job (see api/debug-bundle/), secrets redacted.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { jobIdParam } from './jobs.ts';
import { debugBundle } from '../debug-bundle/bundle.ts';
import { zipStream } from '../../core/zip.ts';

export function debugBundleRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/jobs/:id/debug-bundle', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const entries = await debugBundle(ctx, id);
    if (!entries) throw notFound(`no job "${id}": list jobs with GET /api/jobs`);
    res.setHeader('content-type', 'application/zip');
    res.setHeader('content-disposition', `attachment; filename="atelier-debug-${id}.zip"`);
    res.setHeader('cache-control', 'no-store');
    zipStream(entries).pipe(res);
  });
  return router;
}

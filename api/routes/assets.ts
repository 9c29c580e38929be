// An artifact's bytes with its content type. Paths come from the assets table, never from the request.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';

export function assetRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/assets/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^a_[0-9a-f]{24}$/.test(id)) throw badRequest(`"${id.slice(0, 80)}" is not an asset id: asset ids look like a_ followed by 24 hex digits (see GET /api/jobs/:id)`);
    const asset = await ctx.assets.get(id);
    if (!asset) throw notFound(`no asset "${id}"`);
    res.setHeader('content-type', asset.mime);
    res.setHeader('cache-control', 'private, max-age=86400');
    if (req.query.download !== undefined) res.attachment(asset.relativePath.split('/').pop());
    // the store refuses a path that leaves DATA_DIR; the file is then served relative to the store's root, so
    // `dotfiles` judges the asset's own path only, not DATA_DIR's (`.data` by default)
    ctx.store.absolute(asset.relativePath);
    await new Promise<void>((resolve, reject) => res.sendFile(asset.relativePath, { root: ctx.store.root, dotfiles: 'deny' }, (error) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(notFound(`asset "${id}" is recorded but its file is gone from DATA_DIR (${asset.relativePath})`));
      reject(error);
    }));
  });
  return router;
}

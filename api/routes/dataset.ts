// The dataset manager: every character's images, paged (it stays fast at thousands), searched by file name,
// character or caption, filtered by character; captions edited in place; bulk delete; small thumbnails for the grid.
import { Router } from 'express';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { placeAtomically } from '../../core/store.ts';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { captionUpdateSchema } from '../../core/character-input.ts';
import type { LoraContext } from '../lora-context.ts';

const pageQuery = z.object({
  character: z.string().regex(/^ch_[0-9a-f]{12}$/, 'character must be a character id (GET /api/characters)').optional(),
  q: z.string().max(200, 'q must be at most 200 characters').optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1 to 200').max(200, 'limit must be 1 to 200').default(60),
}).strict();
const IMAGE_ID = /^di_[0-9a-f]{20}$/;
const deleteSchema = z.object({ ids: z.array(z.string().regex(IMAGE_ID, 'ids must be dataset image ids (di_ and 20 hex digits)')).min(1, 'send the ids to delete: {"ids": ["di_…"]}').max(500, 'delete at most 500 images at once') }).strict();
export const THUMB_SIDE = 256;

export function datasetRoutes(ctx: ApiContext, lora: LoraContext): Router {
  const router = Router();
  const imageId = (id: string) => {
    if (!IMAGE_ID.test(id)) throw badRequest(`"${id.slice(0, 80)}" is not a dataset image id: they look like di_ and 20 hex digits`);
    return id;
  };

  router.get('/dataset', async (req, res) => {
    const parsed = pageQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const page = await lora.characters.page({ characterId: parsed.data.character, text: parsed.data.q?.trim() || undefined, cursor: parsed.data.cursor, limit: parsed.data.limit });
    if (!page) throw badRequest('cursor is not one this API gave out: start again without it');
    res.json({ images: page.rows.map((r) => lora.imageView(r.image, { name: r.characterName })), total: page.total ?? null, nextCursor: page.nextCursor });
  });

  router.patch('/dataset/:id', async (req, res) => {
    const id = imageId(req.params.id);
    const parsed = captionUpdateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const image = await lora.characters.setCaption(id, parsed.data.caption, 'user');
    if (!image) throw notFound(`no dataset image "${id}"`);
    res.json({ image: lora.imageView(image) });
  });

  router.post('/dataset/delete', async (req, res) => {
    const parsed = deleteSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const deleted = await lora.characters.deleteImages(parsed.data.ids);
    req.log.info({ deleted: deleted.length }, 'dataset images deleted');
    res.json({ deleted, missing: parsed.data.ids.filter((id) => !deleted.includes(id)) });
  });

  // thumbnails are made once and kept in DATA_DIR/thumbs (by asset id: content never changes under an id)
  router.get('/dataset/:id/thumb', async (req, res) => {
    const image = await lora.characters.getImage(imageId(req.params.id));
    if (!image) throw notFound(`no dataset image "${req.params.id}"`);
    const file = path.join(ctx.config.dataDir, 'thumbs', `${image.assetId}-${THUMB_SIDE}.webp`);
    let bytes = await fs.readFile(file).catch(() => undefined);
    if (!bytes) {
      const asset = await ctx.assets.get(image.assetId);
      if (!asset) throw notFound(`the upload of "${image.fileName}" is gone`);
      bytes = await sharp(ctx.store.absolute(asset.relativePath)).rotate().resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
      const thumb = bytes;
      await placeAtomically(file, (temp) => fs.writeFile(temp, thumb));
    }
    res.setHeader('content-type', 'image/webp');
    res.setHeader('cache-control', 'private, max-age=604800, immutable');
    res.end(bytes);
  });
  return router;
}

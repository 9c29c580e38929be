// POST /uploads: multipart images → asset ids, shared by every pipeline. Each file is decoded before it is kept;
// if any is refused, none is kept and the answer names each refused file and why.
import { Router, type Request, type Response, type NextFunction } from 'express';
import multer from 'multer';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApiContext } from '../context.ts';
import { HttpError, badRequest } from '../errors.ts';
import { assetIdFor } from '../../core/store.ts';
import { checkImage, ImageRejected, type CheckedImage } from '../../core/image-check.ts';
import { displayName, removeTemps, sweepTemp, uploadStorage } from '../upload-storage.ts';

export const MAX_FILES_PER_UPLOAD = 32;

export function uploadRoutes(ctx: ApiContext): Router {
  const router = Router();
  const tempDir = path.join(ctx.config.dataDir, 'tmp', 'uploads');
  sweepTemp(tempDir);
  const receive = multer({ storage: uploadStorage(tempDir, ctx.config.uploads.maxBytes), limits: { files: MAX_FILES_PER_UPLOAD, fields: 10, fieldSize: 64 * 1024 } }).any();

  const received = (req: Request, res: Response) => new Promise<Express.Multer.File[]>((resolve, reject) => {
    receive(req, res, (error: unknown) => {
      if (!error) return resolve((req.files as Express.Multer.File[] | undefined) ?? []);
      if (error instanceof HttpError) return reject(error);
      const multerError = error as multer.MulterError;
      if (multerError.code === 'LIMIT_FILE_COUNT') return reject(new HttpError(413, `send at most ${MAX_FILES_PER_UPLOAD} files per request`));
      if (multerError.name === 'MulterError') return reject(badRequest(`the multipart body is not acceptable (${multerError.message}): send files as multipart/form-data`));
      reject(badRequest(`the upload could not be read (${(error as Error).message}): send files as multipart/form-data`));
    });
  });

  router.post('/uploads', async (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next(new HttpError(415, 'send the images as multipart/form-data, one or more file fields (e.g. curl -F files=@photo.png)'));
    // temp files go before the answer does, so a client never sees them
    const cleanUp = () => removeTemps(req);
    const files = await received(req, res).catch(async (error) => {
      await cleanUp();
      throw error;
    });
    try {
      if (!files.length) throw badRequest('no file in the upload: send one or more images as multipart/form-data file fields');
      // a mask is drawn on one image: with `maskFor` (that image's asset id) each file must have its size
      const maskFor = typeof req.body?.maskFor === 'string' ? req.body.maskFor : undefined;
      const frame = maskFor ? await ctx.assets.get(maskFor) : undefined;
      if (maskFor && (!/^a_[0-9a-f]{24}$/.test(maskFor) || !frame)) throw badRequest(`maskFor must be the asset id of the image the mask is for; there is no asset "${maskFor.slice(0, 80)}"`);
      const checked: { file: Express.Multer.File; name: string; image: CheckedImage }[] = [];
      const refused: { name: string; status: number; reason: string }[] = [];
      for (const file of files) {
        const name = displayName(file.originalname);
        try {
          const image = await checkImage(file.path, ctx.config.uploads);
          if (frame && (image.width !== frame.width || image.height !== frame.height)) {
            refused.push({ name, status: 400, reason: `"${name}" is ${image.width} × ${image.height} pixels, but a mask for ${frame.id} must be ${frame.width} × ${frame.height}: draw or export the mask at the image's size` });
            continue;
          }
          checked.push({ file, name, image });
        } catch (error) {
          if (!(error instanceof ImageRejected)) throw error;
          refused.push({ name, status: error.status, reason: `"${name}" ${error.message}` });
        }
      }
      if (refused.length) {
        await cleanUp();
        const kept = files.length - refused.length;
        res.status(refused[0]!.status).json({
          error: refused.map((r) => r.reason).join('; ') + (kept ? `. Nothing was stored: send the ${kept} good file${kept > 1 ? 's' : ''} again without the refused one${refused.length > 1 ? 's' : ''}` : ''),
          refused: refused.map(({ name, reason }) => ({ name, reason })),
        });
        return;
      }
      const uploads = [];
      for (const { file, name, image } of checked) {
        const sha256 = file.sha256!;
        const relativePath = ctx.store.relativeUploadPath(sha256, image.ext);
        const id = assetIdFor(relativePath);
        const existing = await ctx.assets.get(id);
        if (!existing) {
          const target = ctx.store.absolute(relativePath);
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.rename(file.path, target);
          await ctx.assets.upsert({ id, jobId: null, kind: 'upload', relativePath, sha256, bytes: file.size, width: image.width, height: image.height, mime: image.mime, meta: { name } });
        }
        uploads.push({ id, name, width: image.width, height: image.height, mime: image.mime, bytes: file.size, sha256, url: `/api/assets/${id}`, duplicate: Boolean(existing) });
      }
      await cleanUp();
      req.log.info({ uploads: uploads.map((u) => u.id) }, 'images uploaded');
      res.status(201).json({ uploads });
    } finally {
      await cleanUp();
    }
  });
  return router;
}

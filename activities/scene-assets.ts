// Writing a scene step's images into the job's folders: one path per step and attempt, so a retried activity
// rewrites the same file and upserts the same asset row.
import sharp from 'sharp';
import { assetIdFor, sha256, type AssetKind, type Store } from '../core/store.ts';
import type { AssetRepository } from '../db/assets.ts';
import type { AssetRef } from '../workflows/messages.ts';

export interface SceneAssetDeps { store: Store; assets: AssetRepository }

export function sceneAssetWriter(deps: SceneAssetDeps) {
  return {
    async write(jobId: string, kind: AssetKind, fileName: string, bytes: Buffer, meta: Record<string, unknown> = {}): Promise<AssetRef> {
      const info = await sharp(bytes).metadata();
      const relativePath = deps.store.relativeAssetPath(jobId, kind, fileName);
      await deps.store.writeAtomic(relativePath, bytes);
      const mime = fileName.endsWith('.zip') ? 'application/zip' : fileName.endsWith('.ora') ? 'image/openraster' : `image/${info.format === 'jpeg' ? 'jpeg' : info.format ?? 'png'}`;
      const ref: AssetRef = { id: assetIdFor(relativePath), path: relativePath, kind, mime, width: info.width ?? null, height: info.height ?? null };
      await deps.assets.upsert({ id: ref.id, jobId, kind, relativePath, sha256: sha256(bytes), bytes: bytes.length, width: ref.width ?? null, height: ref.height ?? null, mime, meta });
      return ref;
    },
    /** files that are not images (the ZIP, the .ora) */
    async writeFile(jobId: string, kind: AssetKind, fileName: string, bytes: Buffer, mime: string, meta: Record<string, unknown> = {}): Promise<AssetRef> {
      const relativePath = deps.store.relativeAssetPath(jobId, kind, fileName);
      await deps.store.writeAtomic(relativePath, bytes);
      const ref: AssetRef = { id: assetIdFor(relativePath), path: relativePath, kind, mime };
      await deps.assets.upsert({ id: ref.id, jobId, kind, relativePath, sha256: sha256(bytes), bytes: bytes.length, width: null, height: null, mime, meta });
      return ref;
    },
    read: (ref: Pick<AssetRef, 'path'>) => deps.store.read(ref.path),
  };
}

export type SceneAssetWriter = ReturnType<typeof sceneAssetWriter>;

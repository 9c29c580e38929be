// Asset records: upserted by id (derived from the relative path), so a retried activity writes one row.
import { asc, eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { assets, type AssetRow } from './schema.ts';

export type NewAsset = Omit<AssetRow, 'createdAt' | 'meta'> & { meta?: Record<string, unknown> };

export function assetRepository(db: Db) {
  return {
    async upsert(asset: NewAsset): Promise<void> {
      const values = { ...asset, meta: asset.meta ?? {} };
      await db.insert(assets).values(values).onConflictDoUpdate({ target: assets.id, set: values });
    },
    get: (id: string) => db.query.assets.findFirst({ where: eq(assets.id, id) }),
    forJob: (jobId: string) => db.select().from(assets).where(eq(assets.jobId, jobId)).orderBy(asc(assets.relativePath)),
  };
}

export type AssetRepository = ReturnType<typeof assetRepository>;

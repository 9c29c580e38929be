// Trained LoRAs: one row per training job (upserted by job id), with what a person and the estimate need.
import { and, desc, eq, isNotNull, sql as dsql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { loras, type LoraRow } from './schema.ts';

export type NewLora = Omit<LoraRow, 'createdAt'>;

export function loraRepository(db: Db) {
  return {
    async upsert(lora: NewLora): Promise<LoraRow> {
      const [row] = await db.insert(loras).values(lora).onConflictDoUpdate({ target: loras.jobId, set: { ...lora, id: undefined } as Partial<NewLora> }).returning();
      return row!;
    },
    list: () => db.select().from(loras).orderBy(desc(loras.createdAt)),
    get: (name: string) => db.query.loras.findFirst({ where: eq(loras.name, name) }),
    forJob: (jobId: string) => db.query.loras.findFirst({ where: eq(loras.jobId, jobId) }),
    /** measured speeds of earlier runs on a pool, newest first */
    async speeds(pool: string, limit = 20) {
      const rows = await db.select({ secondsPerStep: loras.secondsPerStep, settings: loras.settings }).from(loras)
        .where(and(eq(loras.pool, pool), isNotNull(loras.secondsPerStep))).orderBy(desc(loras.createdAt)).limit(limit);
      return rows.map((r) => ({ secondsPerStep: r.secondsPerStep!, resolution: Number(r.settings.resolution ?? 512), batchSize: Number(r.settings.batchSize ?? 1) }));
    },
    count: async () => Number((await db.select({ n: dsql<number>`count(*)::int` }).from(loras))[0]?.n ?? 0),
  };
}

export type LoraRepository = ReturnType<typeof loraRepository>;

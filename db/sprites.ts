// The sprite library (kept sprites per project) and the record of deploys into Bevy projects.
import { and, asc, desc, eq, lt, sql as dsql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { spriteDeployments, spriteLibrary, type SpriteRow } from './schema.ts';

export type NewSprite = Omit<SpriteRow, 'createdAt'>;

export function spriteRepository(db: Db) {
  return {
    /** upserted by id (<job>/<sprite>): a retried activity records each sprite once */
    async keep(rows: NewSprite[]): Promise<void> {
      for (const row of rows) await db.insert(spriteLibrary).values(row).onConflictDoUpdate({ target: spriteLibrary.id, set: row });
    },
    forJob: (jobId: string) => db.select().from(spriteLibrary).where(eq(spriteLibrary.jobId, jobId)).orderBy(asc(spriteLibrary.spriteId)),
    async list(filter: { project?: string; before?: Date; limit: number }) {
      const conditions = [];
      if (filter.project) conditions.push(eq(spriteLibrary.project, filter.project));
      if (filter.before) conditions.push(lt(spriteLibrary.createdAt, filter.before));
      return db.select().from(spriteLibrary).where(conditions.length ? and(...conditions) : undefined).orderBy(desc(spriteLibrary.createdAt), asc(spriteLibrary.id)).limit(filter.limit);
    },
    projects: () => db.select({ project: spriteLibrary.project, sprites: dsql<number>`count(*)::int` }).from(spriteLibrary).groupBy(spriteLibrary.project).orderBy(spriteLibrary.project),
    async recordDeployment(entry: { jobId: string; projectDir: string; action: 'deploy' | 'undeploy'; files: unknown[] }): Promise<void> {
      await db.insert(spriteDeployments).values(entry);
    },
    deployments: (jobId: string) => db.select().from(spriteDeployments).where(eq(spriteDeployments.jobId, jobId)).orderBy(asc(spriteDeployments.at)),
    /** folders deployed into before, newest first: the UI offers them */
    knownProjectDirs: async () => (await db.select({ dir: spriteDeployments.projectDir, last: dsql<string>`max(${spriteDeployments.at})` }).from(spriteDeployments).groupBy(spriteDeployments.projectDir).orderBy(desc(dsql`max(${spriteDeployments.at})`)).limit(20)).map((r) => r.dir),
  };
}

export type SpriteRepository = ReturnType<typeof spriteRepository>;

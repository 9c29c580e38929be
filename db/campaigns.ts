// Campaign records: the outline a person approved, chapters (one per scene), illustrations. Upserts, so a
// retried activity writes one row; a chapter rewritten on purpose counts its writes.
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { campaignChapters, campaignIllustrations, campaigns, jobs, type CampaignRow, type ChapterRow, type IllustrationRow } from './schema.ts';
import type { Outline } from '../workflows/campaign-outline.ts';

export function campaignRepository(db: Db) {
  return {
    async register(jobId: string, title: string, premise: Record<string, unknown>): Promise<void> {
      await db.insert(campaigns).values({ jobId, title, premise }).onConflictDoNothing();
    },

    async get(jobId: string): Promise<CampaignRow | undefined> {
      return db.query.campaigns.findFirst({ where: eq(campaigns.jobId, jobId) });
    },

    /** a new outline (the LLM's, or a person's edit) replaces the old one and counts a revision */
    async saveOutline(jobId: string, outline: Outline, problems: string[]): Promise<number> {
      const [row] = await db.update(campaigns)
        .set({ outline: outline as unknown as Record<string, unknown>, title: outline.title, problems, outlineRevision: sql`${campaigns.outlineRevision} + 1`, updatedAt: new Date() })
        .where(eq(campaigns.jobId, jobId)).returning({ revision: campaigns.outlineRevision });
      if (!row) throw new Error(`no campaign "${jobId}"`);
      return row.revision;
    },

    async setFiles(jobId: string, files: Record<string, string>): Promise<void> {
      await db.update(campaigns).set({ files: sql`${campaigns.files} || ${JSON.stringify(files)}::jsonb`, updatedAt: new Date() }).where(eq(campaigns.jobId, jobId));
    },

    /** newest first, with the job's status; `before` is the last row's created_at (ISO) for the next page */
    async list(limit: number, before?: Date) {
      return db.select({ id: campaigns.jobId, title: campaigns.title, premise: campaigns.premise, outlineRevision: campaigns.outlineRevision, files: campaigns.files, createdAt: campaigns.createdAt, status: jobs.status, stage: jobs.stage, error: jobs.error, scenes: sql<number>`coalesce(jsonb_array_length(jsonb_path_query_array(${campaigns.outline}, '$.acts[*].scenes[*]')), 0)`.mapWith(Number), chapters: sql<number>`(SELECT count(*) FROM campaign_chapters c WHERE c.job_id = ${campaigns.jobId})`.mapWith(Number) })
        .from(campaigns).leftJoin(jobs, eq(jobs.id, campaigns.jobId))
        .where(before ? lt(campaigns.createdAt, before) : undefined)
        .orderBy(desc(campaigns.createdAt)).limit(limit);
    },

    chapter: (jobId: string, sceneId: string): Promise<ChapterRow | undefined> =>
      db.query.campaignChapters.findFirst({ where: and(eq(campaignChapters.jobId, jobId), eq(campaignChapters.sceneId, sceneId)) }),

    chapters: (jobId: string): Promise<ChapterRow[]> => db.select().from(campaignChapters).where(eq(campaignChapters.jobId, jobId)).orderBy(asc(campaignChapters.writtenAt)),

    async saveChapter(jobId: string, sceneId: string, outlineRevision: number, text: string): Promise<number> {
      const [row] = await db.insert(campaignChapters).values({ jobId, sceneId, outlineRevision, text })
        .onConflictDoUpdate({ target: [campaignChapters.jobId, campaignChapters.sceneId], set: { text, outlineRevision, writes: sql`${campaignChapters.writes} + 1`, writtenAt: new Date() } })
        .returning({ writes: campaignChapters.writes });
      return row!.writes;
    },

    illustrations: (jobId: string): Promise<IllustrationRow[]> => db.select().from(campaignIllustrations).where(eq(campaignIllustrations.jobId, jobId)).orderBy(asc(campaignIllustrations.target)),

    illustration: (jobId: string, target: string): Promise<IllustrationRow | undefined> =>
      db.query.campaignIllustrations.findFirst({ where: and(eq(campaignIllustrations.jobId, jobId), eq(campaignIllustrations.target, target)) }),

    /** the asset id names the revision's file, so a retried activity lands on the same row and file */
    async saveIllustration(row: Omit<IllustrationRow, 'updatedAt'>): Promise<void> {
      await db.insert(campaignIllustrations).values(row)
        .onConflictDoUpdate({ target: [campaignIllustrations.jobId, campaignIllustrations.target], set: { label: row.label, prompt: row.prompt, assetId: row.assetId, revision: row.revision, updatedAt: new Date() } });
    },
  };
}

export type CampaignRepository = ReturnType<typeof campaignRepository>;

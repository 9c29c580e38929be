// Job records: one per workflow, upserted by the workflow's own activities.
import { and, desc, eq, ilike, or, sql as dsql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { jobs, type JobRow } from './schema.ts';
import { cleanText } from '../core/text.ts';

export type JobStatus = 'RUNNING' | 'PAUSED' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** a job in one of these has ended: nothing more runs for it */
const ENDED_STATUSES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const hasEnded = (status: string) => ENDED_STATUSES.includes(status);

export interface JobRegistration {
  id: string;
  runId?: string;
  pipeline: string;
  title: string;
  stage: string;
  inputSummary: Record<string, unknown>;
  project?: string;
  correlationId?: string;
}

export function jobRepository(db: Db) {
  return {
    // text PostgreSQL cannot store never fails a write (see core/text.ts): it is cleaned
    async register(raw: JobRegistration): Promise<JobRow> {
      const job = cleanText(raw);
      const [row] = await db.insert(jobs).values({ ...job, status: 'RUNNING' })
        .onConflictDoUpdate({ target: jobs.id, set: { runId: job.runId, updatedAt: new Date() } })
        .returning();
      return row!;
    },

    async update(id: string, raw: { stage?: string; status?: JobStatus; error?: string | null }): Promise<void> {
      const change = cleanText(raw);
      const finished = change.status && hasEnded(change.status);
      await db.update(jobs).set({ ...change, updatedAt: new Date(), ...(finished ? { finishedAt: new Date() } : {}) }).where(eq(jobs.id, id));
    },

    async get(id: string): Promise<JobRow | undefined> {
      return db.query.jobs.findFirst({ where: eq(jobs.id, id) });
    },

    /** newest first; the cursor is the last row's `createdAt|id`, its time to the microsecond as stored */
    async list(filter: { pipeline?: string; status?: string; stage?: string; text?: string; cursor?: string; limit: number }) {
      const conditions = [];
      if (filter.pipeline) conditions.push(eq(jobs.pipeline, filter.pipeline));
      if (filter.status) conditions.push(eq(jobs.status, filter.status));
      if (filter.stage) conditions.push(eq(jobs.stage, filter.stage));
      if (filter.text) {
        const like = `%${filter.text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        conditions.push(or(ilike(jobs.title, like), ilike(jobs.id, like), ilike(dsql`${jobs.inputSummary}::text`, like)));
      }
      if (filter.cursor) {
        const [time, id] = decodeCursor(filter.cursor);
        conditions.push(dsql`(${jobs.createdAt}, ${jobs.id}) < (${time}::timestamptz, ${id})`);
      }
      const rows = await db.select({ job: jobs, exactTime: dsql<string>`to_char(${jobs.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
        .from(jobs).where(and(...conditions)).orderBy(desc(jobs.createdAt), desc(jobs.id)).limit(filter.limit + 1);
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      return { jobs: page.map((row) => row.job), nextCursor: rows.length > filter.limit && last ? encodeCursor(last.exactTime, last.job.id) : null };
    },
  };
}

export class CursorError extends Error {}

// microseconds, as PostgreSQL keeps them: a cursor cut to the millisecond (a JS Date) skipped the jobs created
// in the same millisecond as a page's last row and before it
function encodeCursor(exactTime: string, id: string): string {
  return Buffer.from(`${exactTime}|${id}`).toString('base64url');
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** a time PostgreSQL accepts too: no 30 February (which Date.parse rolls over into March) */
const isCalendarTime = (time: string) => !Number.isNaN(Date.parse(time)) && new Date(time).toISOString().slice(0, 19) === time.slice(0, 19);

function decodeCursor(cursor: string): [string, string] {
  const text = Buffer.from(cursor, 'base64url').toString();
  const at = text.indexOf('|');
  const [time, id] = [text.slice(0, at), text.slice(at + 1)];
  if (at < 0 || !id || !CURSOR_TIME.test(time) || !isCalendarTime(time)) throw new CursorError('cursor is not one this API gave out: start again without it');
  return [time, id];
}

export type JobRepository = ReturnType<typeof jobRepository>;

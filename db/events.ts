// The per-job event log: append with the next sequence number, then NOTIFY (with the event, when it fits) so SSE streams live.
import type { Sql } from 'postgres';
import { cleanText } from '../core/text.ts';

export const EVENTS_CHANNEL = 'atelier_events';

export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JobEvent {
  /** position in the log of every job (the global stream's Last-Event-ID) */
  id: number;
  jobId: string;
  seq: number;
  time: string;
  level: EventLevel;
  type: string;
  data: Record<string, unknown>;
  correlationId?: string | null;
}

/**
 * what an append's NOTIFY says: the event itself when it fits in a notification, with the id of the event appended
 * before it (a listener that has not handed that one out missed a notification); else where to read it
 */
export type AppendedEvent = Pick<JobEvent, 'id' | 'seq' | 'jobId'> & { event?: JobEvent; prevId?: number };

export interface NewJobEvent {
  jobId: string;
  level?: EventLevel;
  type: string;
  data?: Record<string, unknown>;
  /** the same key twice (a retried activity) appends once */
  dedupeKey?: string;
}

function toEvent(row: Record<string, any>): JobEvent {
  return { id: Number(row.id), jobId: row.job_id, seq: row.seq, time: new Date(row.time).toISOString(), level: row.level, type: row.type, data: row.data, correlationId: row.correlation_id ?? null };
}

/** a notification's payload: the event as JSON (db/migrations/0016_event_in_notification.sql) or `id:seq:jobId` */
export function parseNotification(payload: string): AppendedEvent {
  if (payload.startsWith('{')) {
    const event = JSON.parse(payload);
    // the fields in the order toEvent gives them: a stream's frame is the same whether read or heard
    return { id: event.id, seq: event.seq, jobId: event.jobId, prevId: event.prevId, event: { id: event.id, jobId: event.jobId, seq: event.seq, time: event.time, level: event.level, type: event.type, data: event.data, correlationId: event.correlationId ?? null } };
  }
  const [id, seq] = payload.split(':', 2);
  return { id: Number(id), seq: Number(seq), jobId: payload.slice(`${id}:${seq}:`.length) };
}

export function eventLog(sql: Sql) {
  return {
    async append(raw: NewJobEvent): Promise<JobEvent | undefined> {
      // inputs are refused earlier with the field named; whatever else echoes them (an error message) is cleaned
      // here, so no write of the log can fail, and be retried forever, on text PostgreSQL cannot store
      const event = cleanText(raw);
      // one lock for every job, not one per job: two jobs' appends in flight at once could otherwise commit
      // ids out of order, and a stream that had read the later one would never see the earlier. The lock, the row,
      // the NOTIFY and the commit are one statement (db/migrations/0015_append_event.sql): the lock is held for
      // no round trip to this process, and the event's time (taken once the lock is held) is just before its commit
      const rows = await sql`SELECT * FROM atelier_append_event(${event.jobId}, ${event.level ?? 'info'}, ${event.type}, ${JSON.stringify(event.data ?? {})}::jsonb, ${event.dedupeKey ?? null})`;
      return rows[0] ? toEvent(rows[0]) : undefined;
    },

    async since(jobId: string, afterSeq = 0, limit = 10_000): Promise<JobEvent[]> {
      const rows = await sql`SELECT * FROM events WHERE job_id = ${jobId} AND seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
      return rows.map(toEvent);
    },

    /** every job's events after a global id (the all-jobs stream) */
    async sinceId(afterId: number, limit = 1000): Promise<JobEvent[]> {
      const rows = await sql`SELECT * FROM events WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`;
      return rows.map(toEvent);
    },

    async lastId(): Promise<number> {
      const [row] = await sql`SELECT coalesce(max(id), 0) AS id FROM events`;
      return Number(row!.id);
    },

    /**
     * Calls back for every appended event, from any process, in the order of their ids (db/migrations/0016); and
     * `onListening` each time the listen starts, the first time and again after a lost connection, when
     * notifications may have been missed.
     */
    async listen(onEvent: (appended: AppendedEvent) => void, onListening: () => void = () => {}) {
      return sql.listen(EVENTS_CHANNEL, (payload) => onEvent(parseNotification(payload)), onListening);
    },
  };
}

export type EventLog = ReturnType<typeof eventLog>;

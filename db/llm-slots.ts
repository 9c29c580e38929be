// Leased slots: at most `slots` holders of a scope (a job's LLM requests) at once, across every worker process.
// A lease runs out unless renewed, so a holder that died gives its slot back by itself.
import type { Sql } from 'postgres';

export function slotLeases(sql: Sql) {
  return {
    /** the slot taken for `holder` (the one it already holds, if any), or undefined while all are held, or while
     *  the job `pausedJob` names is paused (a paused job starts no new request) */
    async tryAcquire(scope: string, slots: number, holder: string, leaseMs: number, pausedJob?: string): Promise<number | undefined> {
      const rows = await sql`
        WITH mine AS (
          SELECT slot FROM llm_slots WHERE scope = ${scope} AND holder = ${holder}
        ), free AS (
          SELECT s AS slot FROM generate_series(0, ${slots - 1}::int) s
          WHERE NOT EXISTS (SELECT 1 FROM mine)
            AND NOT EXISTS (SELECT 1 FROM jobs WHERE id = ${pausedJob ?? ''} AND status = 'PAUSED')
            AND NOT EXISTS (SELECT 1 FROM llm_slots l WHERE l.scope = ${scope} AND l.slot = s AND l.expires_at > now())
          ORDER BY s LIMIT 1
        )
        INSERT INTO llm_slots (scope, slot, holder, expires_at)
        SELECT ${scope}, slot, ${holder}, now() + ${leaseMs} * interval '1 millisecond' FROM (SELECT slot FROM mine UNION ALL SELECT slot FROM free) chosen
        ON CONFLICT (scope, slot) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
          WHERE llm_slots.holder = excluded.holder OR llm_slots.expires_at <= now()
        RETURNING slot`;
      return rows[0] ? Number(rows[0].slot) : undefined;
    },

    async renew(scope: string, holder: string, leaseMs: number): Promise<void> {
      await sql`UPDATE llm_slots SET expires_at = now() + ${leaseMs} * interval '1 millisecond' WHERE scope = ${scope} AND holder = ${holder}`;
    },

    async release(scope: string, holder: string): Promise<void> {
      await sql`DELETE FROM llm_slots WHERE scope = ${scope} AND holder = ${holder}`;
    },
  };
}

export type SlotLeases = ReturnType<typeof slotLeases>;

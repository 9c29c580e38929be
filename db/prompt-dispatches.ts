// Where each ComfyUI prompt went: the host and ComfyUI it was sent to (written before sending), and when it ended
// (collected, failed or cancelled). A retry on another host reads it to find the prompt where it already is.
import type { Sql } from 'postgres';

export interface PromptDispatch {
  promptId: string;
  jobId: string;
  step: string;
  pool: string;
  host: string;
  comfyUrl: string;
  attempt: number;
  sentAt: string;
  endedAt: string | null;
  /** the host that collects (or collected) its images: another than `host` when it took the prompt over */
  collectedBy: string | null;
}

export type NewDispatch = Pick<PromptDispatch, 'promptId' | 'jobId' | 'step' | 'pool' | 'host' | 'comfyUrl' | 'attempt'>;

const toDispatch = (row: Record<string, any>): PromptDispatch => ({
  promptId: row.prompt_id, jobId: row.job_id, step: row.step, pool: row.pool, host: row.host, comfyUrl: row.comfy_url, attempt: row.attempt,
  sentAt: new Date(row.sent_at).toISOString(), endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null, collectedBy: row.collected_by ?? null,
});

export function promptDispatches(sql: Sql) {
  return {
    /** the prompt is about to be sent to this host's ComfyUI (a prompt sent again elsewhere moves its record) */
    async record(dispatch: NewDispatch): Promise<void> {
      await sql`
        INSERT INTO prompt_dispatches (prompt_id, job_id, step, pool, host, comfy_url, attempt, sent_at, ended_at, collected_by)
        VALUES (${dispatch.promptId}, ${dispatch.jobId}, ${dispatch.step}, ${dispatch.pool}, ${dispatch.host}, ${dispatch.comfyUrl}, ${dispatch.attempt}, now(), NULL, NULL)
        ON CONFLICT (prompt_id) DO UPDATE SET host = excluded.host, comfy_url = excluded.comfy_url, attempt = excluded.attempt,
          sent_at = now(), ended_at = NULL, collected_by = NULL`;
    },

    async get(promptId: string): Promise<PromptDispatch | undefined> {
      const [row] = await sql`SELECT * FROM prompt_dispatches WHERE prompt_id = ${promptId}`;
      return row ? toDispatch(row) : undefined;
    },

    /** the prompt left ComfyUI for good: its images collected by `collectedBy`, or it failed or was cancelled */
    async end(promptId: string, collectedBy?: string): Promise<void> {
      await sql`UPDATE prompt_dispatches SET ended_at = now(), collected_by = ${collectedBy ?? null} WHERE prompt_id = ${promptId}`;
    },

    /** another host took the prompt over where it was sent (to follow it there and collect its images) */
    async take(promptId: string, host: string): Promise<void> {
      await sql`UPDATE prompt_dispatches SET collected_by = ${host} WHERE prompt_id = ${promptId}`;
    },

    /** a job's prompts on a pool not yet ended: where each was sent and who collects it */
    async open(jobId: string, pool: string): Promise<{ host: string; collectedBy: string | null }[]> {
      const rows = await sql`SELECT host, collected_by FROM prompt_dispatches WHERE job_id = ${jobId} AND pool = ${pool} AND ended_at IS NULL`;
      return rows.map((r) => ({ host: r.host as string, collectedBy: (r.collected_by as string | null) ?? null }));
    },
  };
}

export type PromptDispatches = ReturnType<typeof promptDispatches>;

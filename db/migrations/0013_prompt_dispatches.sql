-- Where each ComfyUI prompt was sent (recorded before it is sent): a retry on another host asks that ComfyUI first,
-- so a prompt is rendered once across the hosts of a pool; a job's window counts its prompts stranded on lost hosts.
CREATE TABLE IF NOT EXISTS prompt_dispatches (
  prompt_id text PRIMARY KEY,
  job_id text NOT NULL,
  step text NOT NULL,
  pool text NOT NULL,
  host text NOT NULL,
  comfy_url text NOT NULL,
  attempt integer NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  collected_by text
);

CREATE INDEX IF NOT EXISTS prompt_dispatches_open ON prompt_dispatches (job_id) WHERE ended_at IS NULL;

CREATE TABLE IF NOT EXISTS jobs (
  id text PRIMARY KEY,
  run_id text,
  pipeline text NOT NULL,
  title text NOT NULL,
  stage text NOT NULL,
  status text NOT NULL,
  input_summary jsonb NOT NULL,
  project text,
  correlation_id text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS jobs_created_idx ON jobs (created_at, id);
CREATE INDEX IF NOT EXISTS jobs_pipeline_idx ON jobs (pipeline);
CREATE INDEX IF NOT EXISTS jobs_status_idx ON jobs (status);

CREATE TABLE IF NOT EXISTS events (
  id bigserial PRIMARY KEY,
  job_id text NOT NULL,
  seq integer NOT NULL,
  time timestamptz NOT NULL DEFAULT now(),
  level text NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  dedupe_key text
);
CREATE UNIQUE INDEX IF NOT EXISTS events_job_seq_idx ON events (job_id, seq);
CREATE UNIQUE INDEX IF NOT EXISTS events_dedupe_idx ON events (job_id, dedupe_key);

CREATE TABLE IF NOT EXISTS assets (
  id text PRIMARY KEY,
  job_id text NOT NULL,
  kind text NOT NULL,
  relative_path text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  width integer,
  height integer,
  mime text NOT NULL,
  meta jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS assets_path_idx ON assets (relative_path);
CREATE INDEX IF NOT EXISTS assets_job_idx ON assets (job_id);

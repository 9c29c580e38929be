-- the campaign pipeline: a campaign's outline (edited in review), its chapters and its illustrations
CREATE TABLE IF NOT EXISTS campaigns (
  job_id text PRIMARY KEY,
  title text NOT NULL,
  premise jsonb NOT NULL,
  outline jsonb,
  outline_revision integer NOT NULL DEFAULT 0,
  problems jsonb NOT NULL DEFAULT '[]',
  files jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS campaigns_created_idx ON campaigns (created_at);

CREATE TABLE IF NOT EXISTS campaign_chapters (
  job_id text NOT NULL,
  scene_id text NOT NULL,
  outline_revision integer NOT NULL,
  text text NOT NULL,
  writes integer NOT NULL DEFAULT 1,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, scene_id)
);

CREATE TABLE IF NOT EXISTS campaign_illustrations (
  job_id text NOT NULL,
  target text NOT NULL,
  label text NOT NULL,
  prompt text NOT NULL,
  asset_id text NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, target)
);

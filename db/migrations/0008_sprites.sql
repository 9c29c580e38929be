-- the sprites pipeline: kept sprites form a library per project; every deploy into a Bevy project is recorded
CREATE TABLE IF NOT EXISTS sprite_library (
  id text PRIMARY KEY,              -- <job id>/<sprite id>
  job_id text NOT NULL,
  sprite_id text NOT NULL,
  project text NOT NULL,
  name text NOT NULL,               -- the safe file name (no extension)
  category text NOT NULL,
  prompt text NOT NULL,
  style text NOT NULL,
  grid integer NOT NULL,
  palette text NOT NULL,
  frames integer NOT NULL,
  atlas jsonb,                      -- from_grid parameters of a sheet
  asset_id text NOT NULL,           -- the sprite (or sheet) at grid size
  preview_asset_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sprite_library_project_idx ON sprite_library (project, created_at);
CREATE INDEX IF NOT EXISTS sprite_library_job_idx ON sprite_library (job_id);

CREATE TABLE IF NOT EXISTS sprite_deployments (
  id bigserial PRIMARY KEY,
  job_id text NOT NULL,
  project_dir text NOT NULL,
  action text NOT NULL,             -- deploy | undeploy
  files jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sprite_deployments_job_idx ON sprite_deployments (job_id, at);

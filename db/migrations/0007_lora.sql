-- the lora pipeline: characters, their dataset images (uploads with captions), the LoRAs trained for them
CREATE TABLE IF NOT EXISTS characters (
  id text PRIMARY KEY,
  name text NOT NULL,
  trigger_word text NOT NULL,
  description text NOT NULL DEFAULT '',
  sample_prompts jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS characters_name_idx ON characters (lower(name));

CREATE TABLE IF NOT EXISTS dataset_images (
  id text PRIMARY KEY,
  character_id text NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
  asset_id text NOT NULL,
  sha256 text NOT NULL,
  file_name text NOT NULL,
  caption text,
  caption_source text NOT NULL DEFAULT 'none',
  width integer NOT NULL,
  height integer NOT NULL,
  origin text NOT NULL DEFAULT 'upload',
  source_job_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS dataset_images_content_idx ON dataset_images (character_id, sha256);
CREATE INDEX IF NOT EXISTS dataset_images_created_idx ON dataset_images (created_at, id);
CREATE INDEX IF NOT EXISTS dataset_images_character_idx ON dataset_images (character_id, created_at, id);

CREATE TABLE IF NOT EXISTS loras (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  character_id text REFERENCES characters (id) ON DELETE SET NULL,
  character_name text NOT NULL,
  trigger_word text NOT NULL,
  job_id text NOT NULL UNIQUE,
  relative_path text NOT NULL,
  bytes bigint NOT NULL,
  sha256 text NOT NULL,
  steps integer NOT NULL,
  base_model text NOT NULL,
  arch text NOT NULL,
  pool text NOT NULL,
  host text NOT NULL,
  settings jsonb NOT NULL,
  seconds_per_step double precision,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS loras_character_idx ON loras (character_id);

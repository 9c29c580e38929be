-- GPU pools across hosts: each GPU worker registers its host (its ComfyUI, its slots) and keeps last_seen fresh;
-- a pool can be paused (drained) by an operator; the artifact store's marker every worker checks at start.
CREATE TABLE IF NOT EXISTS gpu_hosts (
  pool text NOT NULL,
  host text NOT NULL,
  comfy_url text NOT NULL,
  slots integer NOT NULL,
  version text NOT NULL,
  pid integer,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz,
  PRIMARY KEY (pool, host)
);

CREATE TABLE IF NOT EXISTS gpu_pools (
  pool text PRIMARY KEY,
  paused_at timestamptz,
  paused_by text,
  reason text
);

CREATE TABLE IF NOT EXISTS settings (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

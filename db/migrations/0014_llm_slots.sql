-- Leases on a job's LLM slots: a campaign writes at most `chapterFanout` chapters at the LLM at once, and the next
-- chapter's activity, already started, takes a slot the moment one is given back (no workflow round trip between).
CREATE TABLE IF NOT EXISTS llm_slots (
  scope text NOT NULL,
  slot integer NOT NULL,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, slot)
);

-- An event appended in one statement: the global append lock, the job's next sequence number, the row, its NOTIFY,
-- and the commit that follows at once, all inside PostgreSQL. From the client (BEGIN, lock, INSERT, COMMIT) it took
-- four round trips with the lock held throughout, so a process whose event loop was busy between them held back
-- every job's events, and an event's time was taken long before the commit that made it visible.
-- Each statement of a VOLATILE function takes a fresh snapshot: the INSERT sees every event committed before the
-- lock was granted, so the sequence number is the next one. The lock is the one db/events.ts names.
CREATE OR REPLACE FUNCTION atelier_append_event(p_job_id text, p_level text, p_type text, p_data jsonb, p_dedupe_key text)
RETURNS SETOF events
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  appended events;
BEGIN
  PERFORM pg_advisory_xact_lock(74657202);
  INSERT INTO events (job_id, seq, time, level, type, data, dedupe_key, correlation_id)
  SELECT p_job_id, coalesce(max(seq), 0) + 1, clock_timestamp(), p_level, p_type, p_data, p_dedupe_key,
         (SELECT correlation_id FROM jobs WHERE id = p_job_id)
  FROM events WHERE job_id = p_job_id
  ON CONFLICT (job_id, dedupe_key) DO NOTHING
  RETURNING * INTO appended;
  IF FOUND THEN
    PERFORM pg_notify('atelier_events', appended.id || ':' || appended.seq || ':' || appended.job_id);
    RETURN NEXT appended;
  END IF;
END $$;

-- The appended event rides in its NOTIFY when it fits (a payload is at most 8000 bytes): the API hands it to every
-- stream without reading the log. An event too large to carry is announced as before, `id:seq:job_id`, and read.
-- Notifications arrive in commit order, and the append lock makes commit order id order, so a listener that hands
-- out what it hears in the order it hears it hands out the log in order (api/event-hub.ts reads the log after any
-- gap: a listen that starts or restarts, a notification without the event).
-- Times are kept to the millisecond, what JavaScript's Date holds: an event read from the log and the same event
-- from its notification are then the same, to the byte.
CREATE OR REPLACE FUNCTION atelier_append_event(p_job_id text, p_level text, p_type text, p_data jsonb, p_dedupe_key text)
RETURNS SETOF events
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  appended events;
  payload text;
BEGIN
  PERFORM pg_advisory_xact_lock(74657202);
  INSERT INTO events (job_id, seq, time, level, type, data, dedupe_key, correlation_id)
  SELECT p_job_id, coalesce(max(seq), 0) + 1, date_trunc('milliseconds', clock_timestamp()), p_level, p_type, p_data, p_dedupe_key,
         (SELECT correlation_id FROM jobs WHERE id = p_job_id)
  FROM events WHERE job_id = p_job_id
  ON CONFLICT (job_id, dedupe_key) DO NOTHING
  RETURNING * INTO appended;
  IF FOUND THEN
    payload := json_build_object(
      'id', appended.id, 'jobId', appended.job_id, 'seq', appended.seq,
      'time', to_char(appended.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'level', appended.level, 'type', appended.type, 'data', appended.data, 'correlationId', appended.correlation_id)::text;
    IF octet_length(payload) >= 8000 THEN
      payload := appended.id || ':' || appended.seq || ':' || appended.job_id;
    END IF;
    PERFORM pg_notify('atelier_events', payload);
    RETURN NEXT appended;
  END IF;
END $$;

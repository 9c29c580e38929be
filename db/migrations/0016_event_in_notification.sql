-- The appended event rides in its NOTIFY when it fits (a payload is at most 8000 bytes): the API hands it to every
-- stream without reading the log. An event too large to carry is announced as before, `id:seq:job_id`, and read.
-- Notifications arrive in commit order, and the append lock makes commit order id order, so a listener that hands
-- out what it hears in the order it hears it hands out the log in order.
-- A notified event names the event appended before it (`prevId`, the log's last id once the append lock is held):
-- a listener that has handed out everything up to that id hands this one out too; one that has not missed a
-- notification and reads the log (api/event-hub.ts). Without it a lost notification goes unnoticed when the next one
-- arrives first: postgres.js, listening again after its connection was cut, passes on what the new connection hears
-- before it says it listens again, so a read from "where the listener was" would start after what was lost.
-- Times are kept to the millisecond, what JavaScript's Date holds: an event read from the log and the same event
-- from its notification are then the same, to the byte.
CREATE OR REPLACE FUNCTION atelier_append_event(p_job_id text, p_level text, p_type text, p_data jsonb, p_dedupe_key text)
RETURNS SETOF events
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  appended events;
  previous bigint;
  payload text;
BEGIN
  PERFORM pg_advisory_xact_lock(74657202);
  SELECT coalesce(max(id), 0) INTO previous FROM events;
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
      'level', appended.level, 'type', appended.type, 'data', appended.data, 'correlationId', appended.correlation_id,
      'prevId', previous)::text;
    IF octet_length(payload) >= 8000 THEN
      payload := appended.id || ':' || appended.seq || ':' || appended.job_id;
    END IF;
    PERFORM pg_notify('atelier_events', payload);
    RETURN NEXT appended;
  END IF;
END $$;

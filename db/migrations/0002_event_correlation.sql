-- every event carries its job's correlation id (the X-Correlation-ID of the request that started it)
ALTER TABLE events ADD COLUMN IF NOT EXISTS correlation_id text;

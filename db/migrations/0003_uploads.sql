-- uploads (POST /api/uploads) are assets of no job until a pipeline takes them
ALTER TABLE assets ALTER COLUMN job_id DROP NOT NULL;

-- The pools view counts each GPU host's images over the last minutes (assets.meta carries pool and host).
CREATE INDEX IF NOT EXISTS assets_created_idx ON assets (created_at);

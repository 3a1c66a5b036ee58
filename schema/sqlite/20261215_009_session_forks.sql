-- Where a fork came from (`sessions fork`, `--retry`): the session it copied, the id of the last
-- message it copied (NULL for a fork at 0) and how many it copied. No foreign key: deleting the
-- original keeps its forks, whose record then names a session that is gone (show says so).
-- Nullable columns without a default rewrite no row.
ALTER TABLE sessions ADD COLUMN forked_from TEXT;
ALTER TABLE sessions ADD COLUMN forked_from_message TEXT;
ALTER TABLE sessions ADD COLUMN forked_at INTEGER;

-- A session's forks, for `sessions show`.
CREATE INDEX idx_sessions_forked_from ON sessions(forked_from) WHERE forked_from IS NOT NULL;

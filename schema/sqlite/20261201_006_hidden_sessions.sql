-- Bulk work in short transactions: a session being imported or deleted in batches is hidden from
-- every read and from cleanup's limits until a short final step shows it (an import) or removes
-- it (a deletion), so an import stays all-or-nothing without holding the write lock throughout.
-- `hidden_until` is the heartbeat of the process doing the work, moved forward by every batch:
-- once it has passed, that process is gone, and the next cleanup removes what it left.
ALTER TABLE sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'visible' CHECK (state IN ('visible', 'importing', 'deleting'));
ALTER TABLE sessions ADD COLUMN hidden_until TEXT;

CREATE INDEX idx_sessions_hidden ON sessions(hidden_until) WHERE state <> 'visible';

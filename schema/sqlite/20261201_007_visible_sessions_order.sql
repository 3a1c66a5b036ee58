-- The order every list reads (most recently updated first, the id breaking ties), over visible
-- sessions only: `sessions list` reads its 20 rows from the index instead of sorting every
-- session, and counting the visible sessions reads this small index instead of the table.
CREATE INDEX idx_sessions_visible_order ON sessions(updated_at, id) WHERE state = 'visible';

-- name: AddMessage :exec
INSERT INTO messages (id, session_id, role, content, timestamp, interrupted)
VALUES (@id, @session_id, @role, @content, @timestamp, @interrupted);

-- Moves a session's updated_at forward to a new message's time, never backward.
-- name: TouchSessionForMessage :exec
UPDATE sessions SET updated_at = @timestamp WHERE id = @session_id AND updated_at < @timestamp;

-- In the order they were added: seq grows with every insert, timestamps may tie.
-- name: GetMessages :many
SELECT id, session_id, role, content, timestamp, interrupted
FROM messages
WHERE session_id = @session_id
ORDER BY seq;

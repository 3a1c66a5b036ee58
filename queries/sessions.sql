-- name: CreateSession :exec
INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at)
VALUES (@id, @name, @provider, @model, @system_prompt, @created_at, @updated_at);

-- name: GetSession :one
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id = @id;

-- Most recently updated first; the id breaks ties so the order is stable.
-- name: ListSessions :many
SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
ORDER BY updated_at DESC, id DESC;

-- name: TouchSession :execrows
UPDATE sessions SET updated_at = @updated_at WHERE id = @id;

-- name: DeleteSession :execrows
DELETE FROM sessions WHERE id = @id;

-- name: CountSessions :one
SELECT COUNT(*) AS count FROM sessions;

-- Deletes up to `batch` of the least recently updated sessions, sparing the ids in `keep`.
-- name: DeleteLeastRecentSessions :execrows
DELETE FROM sessions
WHERE id IN (
    SELECT oldest.id FROM sessions AS oldest
    WHERE oldest.id NOT IN (sqlc.slice(keep))
    ORDER BY oldest.updated_at ASC, oldest.id ASC
    LIMIT @batch
);

-- Deletes up to `batch` sessions last updated before `cutoff`, sparing the ids in `keep`.
-- name: DeleteSessionsUpdatedBefore :execrows
DELETE FROM sessions
WHERE id IN (
    SELECT expired.id FROM sessions AS expired
    WHERE expired.updated_at < @cutoff AND expired.id NOT IN (sqlc.slice(keep))
    LIMIT @batch
);

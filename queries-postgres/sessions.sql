-- name: CreateSession :exec
INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at)
VALUES (@id, @name, @provider, @model, @system_prompt, @created_at, @updated_at);

-- name: GetSession :one
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id = @id;

-- Most recently updated first; the id breaks ties so the order is stable. A null `max` means
-- no limit (PostgreSQL's LIMIT NULL).
-- name: ListSessions :many
SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
ORDER BY updated_at DESC, id DESC
LIMIT sqlc.narg(max);

-- Every id in order, for the shortest unique prefixes that lists show.
-- name: ListSessionIds :many
SELECT id::text AS id FROM sessions ORDER BY id::text;

-- Sessions whose id starts with a prefix (checked to be hex and '-' only, so no LIKE wildcards).
-- name: FindSessionsByIdPrefix :many
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id::text LIKE @pattern::text
ORDER BY id::text
LIMIT @max;

-- name: FindSessionsByName :many
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE name = @name
ORDER BY updated_at DESC, id DESC
LIMIT @max;

-- The session used most recently (by last activity, not creation).
-- name: GetLatestSession :one
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
ORDER BY updated_at DESC, id DESC
LIMIT 1;

-- name: RenameSession :execrows
UPDATE sessions SET name = sqlc.narg(name) WHERE id = @id;

-- name: TouchSession :execrows
UPDATE sessions SET updated_at = @updated_at WHERE id = @id;

-- name: DeleteSession :execrows
DELETE FROM sessions WHERE id = @id;

-- name: DeleteSessions :execrows
DELETE FROM sessions WHERE id = ANY(@ids::uuid[]);

-- Deletes those of the sessions that are still unused since `cutoff`.
-- name: DeleteSessionsIfUpdatedBefore :execrows
DELETE FROM sessions WHERE updated_at < @cutoff AND id = ANY(@ids::uuid[]);

-- name: ListSessionsUpdatedBefore :many
SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
WHERE updated_at < @cutoff
ORDER BY updated_at ASC, id ASC;

-- name: CountSessions :one
SELECT COUNT(*)::integer AS count FROM sessions;

-- Cleanup holds this lock exclusively and every writer shares it, for the rest of the
-- transaction: a session written to while a cleanup looks at it is never deleted by it.
-- name: LockCleanup :exec
SELECT pg_advisory_xact_lock(7354105931)::text AS locked;

-- name: LockForWriting :exec
SELECT pg_advisory_xact_lock_shared(7354105931)::text AS locked;

-- Deletes up to `batch` of the least recently updated sessions, sparing the ids in `keep`; returns
-- what it deleted.
-- name: DeleteLeastRecentSessions :many
DELETE FROM sessions
WHERE id IN (
    SELECT oldest.id FROM sessions AS oldest
    WHERE oldest.id <> ALL(@keep::uuid[])
    ORDER BY oldest.updated_at ASC, oldest.id ASC
    LIMIT @batch
)
RETURNING id, name, provider, model, created_at, updated_at, message_count, first_user_message;

-- Deletes up to `batch` sessions last updated before `cutoff`, sparing the ids in `keep`; returns
-- what it deleted.
-- name: DeleteSessionsUpdatedBefore :many
DELETE FROM sessions
WHERE id IN (
    SELECT expired.id FROM sessions AS expired
    WHERE expired.updated_at < @cutoff AND expired.id <> ALL(@keep::uuid[])
    LIMIT @batch
)
RETURNING id, name, provider, model, created_at, updated_at, message_count, first_user_message;

-- What DeleteLeastRecentSessions would delete, oldest first (for `sessions prune --dry-run`).
-- name: ListLeastRecentSessions :many
SELECT oldest.id, oldest.name, oldest.provider, oldest.model, oldest.created_at, oldest.updated_at,
    oldest.message_count, oldest.first_user_message
FROM sessions AS oldest
WHERE oldest.id <> ALL(@keep::uuid[])
ORDER BY oldest.updated_at ASC, oldest.id ASC
LIMIT @max;

-- For the rest of the transaction, a lock wait fails after `timeout` (SQLSTATE 55P03) instead of
-- waiting on the server: the store retries between attempts, so Ctrl+C is handled meanwhile.
-- name: LimitLockWait :exec
SELECT set_config('lock_timeout', @timeout::text, true) AS setting;

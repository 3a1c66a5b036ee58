-- name: CreateSession :exec
INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at)
VALUES (@id, @name, @provider, @model, @system_prompt, @created_at, @updated_at);

-- name: GetSession :one
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id = @id;

-- Most recently updated first; the id breaks ties so the order is stable. A negative `max`
-- means no limit (SQLite's LIMIT -1).
-- name: ListSessions :many
SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
ORDER BY updated_at DESC, id DESC
LIMIT @max;

-- Every id in order, for the shortest unique prefixes that lists show.
-- name: ListSessionIds :many
SELECT id FROM sessions ORDER BY id;

-- Sessions whose id starts with a prefix: ids are lower-case hex and '-', all below 'g', so
-- the prefix's range is [prefix, prefix || 'g'), which the primary key index answers.
-- name: FindSessionsByIdRange :many
SELECT id, name, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id >= @low AND id < @high
ORDER BY id
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

-- A session in use (with a lease that has not expired) is never deleted: the store refuses to.
-- name: DeleteSessions :execrows
DELETE FROM sessions WHERE id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now) AND id IN (sqlc.slice(ids));

-- Deletes those of the sessions that are still unused since `cutoff`: one used in the meantime
-- (while a person confirmed, say) is kept, and so is one in use now.
-- name: DeleteSessionsIfUpdatedBefore :execrows
DELETE FROM sessions WHERE updated_at < @cutoff AND id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now) AND id IN (sqlc.slice(ids));

-- Sessions last used before `cutoff` and not in use now.
-- name: ListSessionsUpdatedBefore :many
SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
WHERE updated_at < @cutoff AND id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now)
ORDER BY updated_at ASC, id ASC;

-- name: TouchSession :execrows
UPDATE sessions SET updated_at = @updated_at WHERE id = @id;

-- name: DeleteSession :execrows
DELETE FROM sessions WHERE id = @id AND id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now);

-- name: CountSessions :one
SELECT COUNT(*) AS count FROM sessions;

-- Deletes up to `batch` of the least recently updated sessions, sparing the ids in `keep` and
-- the sessions in use; returns what it deleted.
-- name: DeleteLeastRecentSessions :many
DELETE FROM sessions
WHERE id IN (
    SELECT oldest.id FROM sessions AS oldest
    WHERE oldest.id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now) AND oldest.id NOT IN (sqlc.slice(keep))
    ORDER BY oldest.updated_at ASC, oldest.id ASC
    LIMIT @batch
)
RETURNING id, name, provider, model, created_at, updated_at, message_count, first_user_message;

-- Deletes up to `batch` sessions last updated before `cutoff`, sparing the ids in `keep` and the
-- sessions in use; returns what it deleted.
-- name: DeleteSessionsUpdatedBefore :many
DELETE FROM sessions
WHERE id IN (
    SELECT expired.id FROM sessions AS expired
    WHERE expired.updated_at < @cutoff AND expired.id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now) AND expired.id NOT IN (sqlc.slice(keep))
    LIMIT @batch
)
RETURNING id, name, provider, model, created_at, updated_at, message_count, first_user_message;

-- What DeleteLeastRecentSessions would delete, oldest first (for `sessions prune --dry-run`).
-- name: ListLeastRecentSessions :many
SELECT oldest.id, oldest.name, oldest.provider, oldest.model, oldest.created_at, oldest.updated_at,
    oldest.message_count, oldest.first_user_message
FROM sessions AS oldest
WHERE oldest.id NOT IN (SELECT lease.session_id FROM session_leases AS lease WHERE lease.expires_at > @now) AND oldest.id NOT IN (sqlc.slice(keep))
ORDER BY oldest.updated_at ASC, oldest.id ASC
LIMIT @max;

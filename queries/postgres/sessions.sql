-- Every read sees visible sessions only: one being imported or deleted in batches (state
-- importing or deleting, see schema/postgres/20261201_003) is not there until its final step.
-- Heartbeats (hidden_until) follow the clock of the server, so machines sharing it agree.

-- name: CreateSession :exec
INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at)
VALUES (@id, @title, @provider, @model, @system_prompt, @created_at, @updated_at);

-- A session whose messages are still to be imported in batches: hidden until ShowImportedSession.
-- name: CreateHiddenSession :exec
INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at, state, hidden_until)
VALUES (@id, @title, @provider, @model, @system_prompt, @created_at, @updated_at, 'importing',
    now() + make_interval(secs => @lease_seconds::integer));

-- The final step of an import: every message is there, so the session appears, with the
-- updated_at it was exported with. No row when a cleanup removed it meanwhile (a lapsed heartbeat).
-- name: ShowImportedSession :execrows
UPDATE sessions SET state = 'visible', hidden_until = NULL, updated_at = @updated_at
WHERE id = @id AND state = 'importing';

-- name: GetSession :one
SELECT id, name AS title, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id = @id AND state = 'visible';

-- The session a message is about to be added to, its row locked until the transaction ends,
-- before the message takes its seq: writers to one session take their seqs in the order they
-- commit, so a fork (GetForkSource, FOR SHARE) sees a prefix of the session's final order. (A
-- seq taken before the lock could be passed by a later one that commits first.)
-- name: GetSessionForAppend :one
SELECT id, name AS title, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id = @id AND state = 'visible'
FOR NO KEY UPDATE;

-- Most recently updated first; the id breaks ties so the order is stable. A null `max` means
-- no limit (PostgreSQL's LIMIT NULL).
-- name: ListSessions :many
SELECT id, name AS title, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
WHERE state = 'visible'
ORDER BY updated_at DESC, id DESC
LIMIT sqlc.narg(max);

-- Every id in order, for the shortest unique prefixes that lists show.
-- name: ListSessionIds :many
SELECT id::text AS id FROM sessions WHERE state = 'visible' ORDER BY id::text;

-- The ids just before and just after one, in order: all a single id's shortest unique start
-- depends on, found through the primary key (uuid order is the order of their text).
-- name: GetPreviousSessionId :one
SELECT id::text AS id FROM sessions WHERE id < @id::uuid AND state = 'visible' ORDER BY id DESC LIMIT 1;

-- name: GetNextSessionId :one
SELECT id::text AS id FROM sessions WHERE id > @id::uuid AND state = 'visible' ORDER BY id ASC LIMIT 1;

-- Sessions whose id starts with a prefix (checked to be hex and '-' only, so no LIKE wildcards).
-- name: FindSessionsByIdPrefix :many
SELECT id, name AS title, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE id::text LIKE @pattern::text AND state = 'visible'
ORDER BY id::text
LIMIT @max;

-- name: FindSessionsByTitle :many
SELECT id, name AS title, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE name = @title AND state = 'visible'
ORDER BY updated_at DESC, id DESC
LIMIT @max;

-- The session used most recently (by last activity, not creation).
-- name: GetLatestSession :one
SELECT id, name AS title, provider, model, system_prompt, created_at, updated_at
FROM sessions
WHERE state = 'visible'
ORDER BY updated_at DESC, id DESC
LIMIT 1;

-- name: RenameSession :execrows
UPDATE sessions SET name = sqlc.narg(title) WHERE id = @id AND state = 'visible';

-- A session brought up to a later state of it (a copy): its fields as given, if it still holds
-- `held` messages. No row when it is not there, or was written to meanwhile.
-- name: UpdateSessionIfHolding :execrows
UPDATE sessions SET name = sqlc.narg(title), provider = @provider, model = @model, system_prompt = sqlc.narg(system_prompt),
    created_at = @created_at, updated_at = @updated_at
WHERE id = @id AND state = 'visible' AND message_count = @held;

-- name: TouchSession :execrows
UPDATE sessions SET updated_at = @updated_at WHERE id = @id AND state = 'visible';

-- Hides sessions for deletion (their messages go in batches afterwards); returns those hidden.
-- A session in use (with a lease that has not expired) is never hidden: the store refuses to delete it.
-- name: HideSessions :many
UPDATE sessions SET state = 'deleting', hidden_until = now() + make_interval(secs => @lease_seconds::integer)
WHERE state = 'visible' AND id = ANY(@ids::uuid[]) AND NOT EXISTS (SELECT 1 FROM session_leases AS lease WHERE lease.session_id = sessions.id AND lease.expires_at > now())
RETURNING id;

-- Hides for deletion those of the sessions that are still unused since `cutoff`, and not in use now.
-- name: HideSessionsIfUpdatedBefore :many
UPDATE sessions SET state = 'deleting', hidden_until = now() + make_interval(secs => @lease_seconds::integer)
WHERE state = 'visible' AND updated_at < @cutoff AND id = ANY(@ids::uuid[]) AND NOT EXISTS (SELECT 1 FROM session_leases AS lease WHERE lease.session_id = sessions.id AND lease.expires_at > now())
RETURNING id;

-- Sessions last used before `cutoff` and not in use now.
-- name: ListSessionsUpdatedBefore :many
SELECT id, name AS title, provider, model, created_at, updated_at, message_count, first_user_message
FROM sessions
WHERE updated_at < @cutoff AND state = 'visible' AND NOT EXISTS (SELECT 1 FROM session_leases AS lease WHERE lease.session_id = sessions.id AND lease.expires_at > now())
ORDER BY updated_at ASC, id ASC;

-- name: CountSessions :one
SELECT COUNT(*)::integer AS count FROM sessions WHERE state = 'visible';

-- The sessions `max_sessions` limits: a session the user titled is never cleaned up, and does
-- not count.
-- name: CountUntitledSessions :one
SELECT COUNT(*)::integer AS count FROM sessions WHERE state = 'visible' AND name IS NULL;

-- The sessions cleanup leaves alone, which `sessions prune` says it kept.
-- name: CountTitledSessions :one
SELECT COUNT(*)::integer AS count FROM sessions WHERE state = 'visible' AND name IS NOT NULL;

-- Cleanup holds this lock exclusively and every writer shares it, for the rest of the
-- transaction: a session written to while a cleanup looks at it is never deleted by it.
-- name: LockCleanup :exec
SELECT pg_advisory_xact_lock(7354105931)::text AS locked;

-- name: LockForWriting :exec
SELECT pg_advisory_xact_lock_shared(7354105931)::text AS locked;

-- Hides for deletion up to `batch` of the least recently updated untitled sessions (a titled one
-- is never cleaned up), sparing the ids in
-- `keep` and the sessions in use; returns what it hid. They are left as a pending purge (no
-- heartbeat: `hidden_until` NULL), which any later run reclaims (ListPendingPurges).
-- name: HideLeastRecentSessions :many
UPDATE sessions SET state = 'deleting', hidden_until = NULL
WHERE id IN (
    SELECT oldest.id FROM sessions AS oldest
    WHERE oldest.state = 'visible' AND oldest.name IS NULL AND oldest.id <> ALL(@keep::uuid[]) AND NOT EXISTS (SELECT 1 FROM session_leases AS lease WHERE lease.session_id = oldest.id AND lease.expires_at > now())
    ORDER BY oldest.updated_at ASC, oldest.id ASC
    LIMIT @batch
)
RETURNING id, name AS title, provider, model, created_at, updated_at, message_count, first_user_message;

-- Hides for deletion up to `batch` untitled sessions last updated before `cutoff`, sparing the ids in
-- `keep` and the sessions in use; returns what it hid, as a pending purge like HideLeastRecentSessions.
-- name: HideSessionsUpdatedBefore :many
UPDATE sessions SET state = 'deleting', hidden_until = NULL
WHERE id IN (
    SELECT expired.id FROM sessions AS expired
    WHERE expired.state = 'visible' AND expired.name IS NULL AND expired.updated_at < @cutoff AND expired.id <> ALL(@keep::uuid[]) AND NOT EXISTS (SELECT 1 FROM session_leases AS lease WHERE lease.session_id = expired.id AND lease.expires_at > now())
    LIMIT @batch
)
RETURNING id, name AS title, provider, model, created_at, updated_at, message_count, first_user_message;

-- What HideLeastRecentSessions would hide, oldest first (for `sessions prune --dry-run`).
-- name: ListLeastRecentSessions :many
SELECT oldest.id, oldest.name AS title, oldest.provider, oldest.model, oldest.created_at, oldest.updated_at,
    oldest.message_count, oldest.first_user_message
FROM sessions AS oldest
WHERE oldest.state = 'visible' AND oldest.name IS NULL AND oldest.id <> ALL(@keep::uuid[]) AND NOT EXISTS (SELECT 1 FROM session_leases AS lease WHERE lease.session_id = oldest.id AND lease.expires_at > now())
ORDER BY oldest.updated_at ASC, oldest.id ASC
LIMIT @max;

-- For the rest of the transaction, a lock wait fails after `timeout` (SQLSTATE 55P03) instead of
-- waiting on the server: the store retries between attempts, so Ctrl+C is handled meanwhile.
-- name: LimitLockWait :exec
SELECT set_config('lock_timeout', @timeout::text, true) AS setting;

-- The heartbeat of bulk work: moved forward by every batch. Counts the sessions still in `state`
-- with a heartbeat (a cleanup may have taken over one whose heartbeat lapsed); a pending purge
-- has none and keeps none, so it is never taken for a stopped process's work.
-- name: RenewHiddenSessions :execrows
UPDATE sessions SET hidden_until = now() + make_interval(secs => @lease_seconds::integer)
WHERE state = @state AND hidden_until IS NOT NULL AND id = ANY(@ids::uuid[]);

-- An import that failed part-way (a message id taken, say) is removed like a deletion.
-- name: AbandonImport :execrows
UPDATE sessions SET state = 'deleting', hidden_until = now() + make_interval(secs => @lease_seconds::integer)
WHERE id = @id AND state = 'importing';

-- Up to `batch` messages of sessions hidden for deletion. Rows another process is deleting are
-- skipped, not waited for: two purges at once share the work instead of queueing on each other.
-- name: DeleteMessagesOfHiddenSessions :execrows
DELETE FROM messages
WHERE seq IN (
    SELECT doomed.seq FROM messages AS doomed
    JOIN sessions AS s ON s.id = doomed.session_id
    WHERE s.state = 'deleting' AND s.id = ANY(@ids::uuid[])
    LIMIT @batch
    FOR UPDATE OF doomed SKIP LOCKED
);

-- The last step of a deletion, once their messages are gone: the rows themselves. Only those
-- with no message left, so a session whose messages another purge is still deleting is never
-- taken with all its messages in one cascade (the long transaction the batches avoid).
-- name: DeleteHiddenSessions :execrows
DELETE FROM sessions
WHERE state = 'deleting' AND id = ANY(@ids::uuid[])
    AND NOT EXISTS (SELECT 1 FROM messages AS left_over WHERE left_over.session_id = sessions.id);

-- Bulk work whose heartbeat lapsed: the process doing it stopped (killed, crashed). Judged at
-- `at`, or by the server clock when it is null. A pending purge (no heartbeat) is not abandoned
-- work: ListPendingPurges finds it.
-- name: ListAbandonedSessions :many
SELECT id, state, message_count FROM sessions
WHERE state <> 'visible' AND hidden_until < COALESCE(sqlc.narg(at)::timestamptz, now())
ORDER BY id
FOR UPDATE;

-- Takes over abandoned bulk work (as ListAbandonedSessions found it) as a pending purge,
-- reclaimed like a cleanup's.
-- name: ClaimAbandonedSessions :execrows
UPDATE sessions SET state = 'deleting', hidden_until = NULL
WHERE id = ANY(@ids::uuid[]) AND state <> 'visible';

-- Sessions hidden for deletion whose rows are still to be reclaimed, by nobody in particular
-- (no heartbeat): up to `max`, in id order, so every run takes up the one a stopped run began.
-- name: ListPendingPurges :many
SELECT id FROM sessions
WHERE state = 'deleting' AND hidden_until IS NULL
ORDER BY id
LIMIT @max;

-- What a fork copies from its source: its settings, how many messages it holds, the start of its
-- first question (the fork's title when the source has none). FOR SHARE holds off writers to the
-- source (adding a message updates its row) until the fork commits: it copies a consistent prefix.
-- name: GetForkSource :one
SELECT id, name AS title, provider, model, system_prompt, message_count, first_user_message
FROM sessions
WHERE id = @id AND state = 'visible'
FOR SHARE;

-- A fork: a new session recording where it came from (migration 005).
-- name: CreateForkedSession :exec
INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at, forked_from, forked_from_message, forked_at)
VALUES (@id, @title, @provider, @model, @system_prompt, @created_at, @updated_at, @forked_from, sqlc.narg(forked_from_message), @forked_at);

-- Where a session came from; NULLs when it is no fork.
-- name: GetSessionOrigin :one
SELECT forked_from, forked_from_message, forked_at FROM sessions WHERE id = @id AND state = 'visible';

-- An imported fork keeps its record.
-- name: SetSessionOrigin :exec
UPDATE sessions SET forked_from = sqlc.narg(forked_from), forked_from_message = sqlc.narg(forked_from_message), forked_at = sqlc.narg(forked_at)
WHERE id = @id;

-- A session's forks, oldest first.
-- name: ListForks :many
SELECT id, name AS title, forked_at, created_at, first_user_message
FROM sessions
WHERE forked_from = @id AND state = 'visible'
ORDER BY created_at, id;

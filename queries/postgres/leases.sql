-- Leases: an exchange in progress holds one on its session, so that no cleanup or delete
-- touches the session until the lease is released or has expired (see migration 002).
-- Expiry is measured by the clock of the server, the one every machine sharing the database sees.

-- Takes a lease for `ttl_seconds`, or renews it when this holder has it already; none on a
-- session that does not exist or is hidden (being imported or deleted): no row, which the store
-- reports as not found.
-- name: LeaseSession :execrows
INSERT INTO session_leases (session_id, holder, expires_at)
SELECT leased.id, @holder, now() + make_interval(secs => @ttl_seconds::float8) FROM sessions AS leased
WHERE leased.id = @session_id AND leased.state = 'visible'
ON CONFLICT (session_id, holder) DO UPDATE SET expires_at = excluded.expires_at;

-- name: ReleaseLease :exec
DELETE FROM session_leases WHERE session_id = @session_id AND holder = @holder;

-- Leases of holders that crashed protect nothing any more; their rows go when a lease is taken.
-- name: DeleteExpiredLeases :exec
DELETE FROM session_leases WHERE expires_at <= now();

-- Those of the sessions that are in use: they have a lease that has not expired.
-- name: ListSessionsInUse :many
SELECT DISTINCT session_id FROM session_leases
WHERE expires_at > now() AND session_id = ANY(@ids::uuid[])
ORDER BY session_id;

-- An exchange in progress holds a lease on its session, in whichever process it runs: no
-- cleanup or delete touches a session while it has a lease that has not expired. A lease
-- expires on its own (its holder renews it while the reply streams), so a process that crashed
-- protects its session for one lease period at most. Times are stored like every other.
CREATE TABLE session_leases (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    -- One exchange: several processes may continue the same session at once.
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (session_id, holder)
) WITHOUT ROWID;

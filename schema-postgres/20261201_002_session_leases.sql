-- An exchange in progress holds a lease on its session, in whichever process (or machine) it
-- runs: no cleanup or delete touches a session while it has a lease that has not expired. A
-- lease expires on its own (its holder renews it while the reply streams), so a process that
-- crashed protects its session for one lease period at most. Expiry is measured by the
-- server's clock, which every machine sharing the database agrees on.
CREATE TABLE session_leases (
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- One exchange: several processes may continue the same session at once.
    holder uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, holder)
);

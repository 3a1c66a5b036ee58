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

-- Each session's message count and first user message were kept by row-level triggers: an
-- import of n messages updated the same sessions row n times in one transaction, and each
-- update walks the row versions the earlier ones left, so importing took time in n squared
-- (100,000 messages: minutes). Statement-level triggers see all of a statement's rows at once
-- (transition tables) and update each session once per statement; with messages inserted in
-- batches, storing a session takes time in proportion to its length.
DROP TRIGGER messages_after_insert ON messages;
DROP TRIGGER messages_after_delete ON messages;
DROP FUNCTION synapse_message_added();
DROP FUNCTION synapse_message_removed();

CREATE FUNCTION synapse_messages_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions AS s SET
        message_count = s.message_count + added.count,
        first_user_message = COALESCE(s.first_user_message, added.first_user_message)
    FROM (
        SELECT session_id, count(*) AS count,
            (array_agg(substr(content, 1, 500) ORDER BY seq) FILTER (WHERE role = 'user'))[1] AS first_user_message
        FROM added_messages
        GROUP BY session_id
    ) AS added
    WHERE s.id = added.session_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION synapse_messages_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions AS s SET
        message_count = s.message_count - removed.count,
        first_user_message = CASE
            WHEN removed.users > 0 THEN (
                SELECT substr(m.content, 1, 500) FROM messages AS m
                WHERE m.session_id = s.id AND m.role = 'user'
                ORDER BY m.seq LIMIT 1
            )
            ELSE s.first_user_message
        END
    FROM (
        SELECT session_id, count(*) AS count, count(*) FILTER (WHERE role = 'user') AS users
        FROM removed_messages
        GROUP BY session_id
    ) AS removed
    WHERE s.id = removed.session_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_after_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS added_messages FOR EACH STATEMENT EXECUTE FUNCTION synapse_messages_added();
CREATE TRIGGER messages_after_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS removed_messages FOR EACH STATEMENT EXECUTE FUNCTION synapse_messages_removed();

-- Messages get an explicit insertion order. Two messages can share a timestamp, and an implicit
-- rowid may be renumbered by VACUUM; `seq` is an INTEGER PRIMARY KEY, so it is stable and is the
-- order messages were added in. Roles are checked by the database, not only by the application.
CREATE TABLE messages_v2 (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE
);

INSERT INTO messages_v2 (id, session_id, role, content, timestamp)
SELECT id, session_id, role, content, timestamp FROM messages ORDER BY session_id, timestamp, rowid;

DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;

CREATE INDEX idx_messages_session_seq ON messages(session_id, seq);

-- Listing thousands of sessions must not count their messages row by row, so each session
-- carries its message count and the start of its first user message, kept in step by SQLite.
ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN first_user_message TEXT;

UPDATE sessions SET
    message_count = (SELECT COUNT(*) FROM messages WHERE messages.session_id = sessions.id),
    first_user_message = (
        SELECT substr(content, 1, 500) FROM messages
        WHERE messages.session_id = sessions.id AND messages.role = 'user'
        ORDER BY seq LIMIT 1
    );

CREATE TRIGGER messages_after_insert AFTER INSERT ON messages
BEGIN
    UPDATE sessions SET
        message_count = message_count + 1,
        first_user_message = CASE
            WHEN first_user_message IS NULL AND NEW.role = 'user' THEN substr(NEW.content, 1, 500)
            ELSE first_user_message
        END
    WHERE id = NEW.session_id;
END;

CREATE TRIGGER messages_after_delete AFTER DELETE ON messages
BEGIN
    UPDATE sessions SET
        message_count = message_count - 1,
        first_user_message = CASE
            WHEN OLD.role = 'user' THEN (
                SELECT substr(content, 1, 500) FROM messages
                WHERE messages.session_id = OLD.session_id AND messages.role = 'user'
                ORDER BY seq LIMIT 1
            )
            ELSE first_user_message
        END
    WHERE id = OLD.session_id;
END;

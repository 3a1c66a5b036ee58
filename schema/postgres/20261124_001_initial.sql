-- The PostgreSQL schema: the same data as SQLite's migrations 001-004 bring about, in native
-- types (uuid, timestamptz, boolean), for a store shared by several machines.

CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    name text,
    provider text NOT NULL,
    model text NOT NULL,
    system_prompt text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- Kept by the triggers below, so listing thousands of sessions reads one row each.
    message_count integer NOT NULL DEFAULT 0,
    first_user_message text
);

CREATE INDEX idx_sessions_updated ON sessions (updated_at DESC, id DESC);
CREATE INDEX idx_sessions_name ON sessions (name) WHERE name IS NOT NULL;
-- Id prefixes (`3f2c9a4e`) are looked up as text.
CREATE INDEX idx_sessions_id_text ON sessions ((id::text) text_pattern_ops);

CREATE TABLE messages (
    -- Insertion order: two messages may share a timestamp.
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content text NOT NULL,
    timestamp timestamptz NOT NULL,
    interrupted boolean NOT NULL DEFAULT false,
    input_tokens integer,
    output_tokens integer,
    -- Full-text search, kept in step by the database itself. A tsvector holds at most 1 MB, so
    -- only the first 100,000 characters of a very long message (a pasted log) are indexed.
    search tsvector GENERATED ALWAYS AS (to_tsvector('english', left(content, 100000))) STORED
);

CREATE INDEX idx_messages_session_seq ON messages (session_id, seq);
CREATE INDEX idx_messages_search ON messages USING gin (search);

CREATE FUNCTION synapse_message_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions SET
        message_count = message_count + 1,
        first_user_message = CASE
            WHEN first_user_message IS NULL AND NEW.role = 'user' THEN substr(NEW.content, 1, 500)
            ELSE first_user_message
        END
    WHERE id = NEW.session_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION synapse_message_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions SET
        message_count = message_count - 1,
        first_user_message = CASE
            WHEN OLD.role = 'user' THEN (
                SELECT substr(m.content, 1, 500) FROM messages AS m
                WHERE m.session_id = OLD.session_id AND m.role = 'user'
                ORDER BY m.seq LIMIT 1
            )
            ELSE first_user_message
        END
    WHERE id = OLD.session_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_after_insert AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION synapse_message_added();
CREATE TRIGGER messages_after_delete AFTER DELETE ON messages FOR EACH ROW EXECUTE FUNCTION synapse_message_removed();

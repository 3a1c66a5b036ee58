-- Files sent with questions (`-f`), as SQLite's migration 010 stores them. Each content is stored
-- once, under its SHA-256, however many messages or sessions carry it. `data` is the last column;
-- a big value is kept out of line (TOAST), so a row read without it never reads the bytes.
CREATE TABLE attachments (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type text NOT NULL,
    -- A bytea holds at most 1 GB: an integer counts it.
    size integer NOT NULL CHECK (size = octet_length(data)),
    data bytea NOT NULL
);

-- Which message carried which file, in the order given, under the name it was sent with. The
-- session is kept here too, so reading a session's attachments is one index range (none for
-- most sessions) rather than a probe per message. No foreign key to messages: the trigger below
-- removes a message's links with it (a NO ACTION key would be checked before it runs, and a
-- cascade runs one statement per message deleted).
CREATE TABLE message_attachments (
    message_id uuid NOT NULL,
    position integer NOT NULL,
    session_id uuid NOT NULL,
    name text NOT NULL,
    sha256 text NOT NULL REFERENCES attachments (sha256),
    PRIMARY KEY (message_id, position)
);

CREATE INDEX idx_message_attachments_session ON message_attachments (session_id);
CREATE INDEX idx_message_attachments_sha256 ON message_attachments (sha256);

-- Every transaction that adds a file or a link to one, and every removal of a file's last link,
-- holds a lock on its hash (LockAttachments) until it ends: taken in the order of the keys, all
-- at once, so two never wait for each other.
CREATE FUNCTION synapse_lock_attachments(hashes text[]) RETURNS void LANGUAGE sql VOLATILE AS $$
    SELECT count(pg_advisory_xact_lock(locked.key))::text
    FROM (SELECT DISTINCT hashtextextended(hash, 0) AS key FROM unnest(hashes) AS hash ORDER BY key) AS locked;
$$;

-- A message's links go with it, whatever deletes it (a purge's batches, an import undone), and a
-- file goes with the last link to it: nothing is left that no message refers to.
--
-- Safe under concurrency: the hashes are locked only after this statement's links are gone, and
-- the orphan check is a statement of its own after the lock (a volatile function's statements
-- each take a fresh snapshot under READ COMMITTED). A transaction that adds a link to the same
-- file holds the lock from before it looks for the file until it commits, so either it finished
-- first and its link is seen here (the file stays), or it waits for this one to commit and then
-- finds the file gone and stores it again. Neither loses the file nor fails on the foreign key.
CREATE FUNCTION synapse_messages_unlink_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sessions uuid[];
    unlinked text[];
BEGIN
    -- A purge batch removes thousands of messages of a few sessions, which mostly carried no
    -- file: a look at those sessions' links (their index) says so before any message is matched.
    sessions := ARRAY(SELECT DISTINCT session_id FROM removed_messages);
    IF NOT EXISTS (SELECT 1 FROM message_attachments WHERE session_id = ANY (sessions)) THEN
        RETURN NULL;
    END IF;
    -- One array of ids, matched on the primary key's index.
    WITH removed AS (
        DELETE FROM message_attachments
        WHERE message_id = ANY (ARRAY(SELECT id FROM removed_messages))
        RETURNING sha256
    )
    SELECT array_agg(DISTINCT sha256) INTO unlinked FROM removed;
    IF unlinked IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM synapse_lock_attachments(unlinked);
    DELETE FROM attachments AS a
    WHERE a.sha256 = ANY (unlinked)
        AND NOT EXISTS (SELECT 1 FROM message_attachments AS other WHERE other.sha256 = a.sha256);
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_after_delete_attachments AFTER DELETE ON messages
    REFERENCING OLD TABLE AS removed_messages FOR EACH STATEMENT EXECUTE FUNCTION synapse_messages_unlink_attachments();

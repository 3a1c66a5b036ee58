-- Files sent with questions (`-f`). Each content is stored once, under its SHA-256, however many
-- messages or sessions carry it; `data` is the last column, so a row read without it never reads
-- the overflow pages a big file takes. (A rowid table: WITHOUT ROWID suits small rows only.)
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size = length(data)),
    data BLOB NOT NULL
);

-- Which message carried which file, in the order given, under the name it was sent with. The
-- session is kept here too, so reading a session's attachments is one index range (none for
-- most sessions) rather than a probe per message.
CREATE TABLE message_attachments (
    message_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (message_id, position)
);

CREATE INDEX idx_message_attachments_session ON message_attachments(session_id);
CREATE INDEX idx_message_attachments_sha256 ON message_attachments(sha256);

-- A message's links go with it, whatever deletes it (a purge's batches, an import undone), and a
-- file goes with the last link to it: nothing is left that no message refers to.
CREATE TRIGGER message_attachments_after_message_delete AFTER DELETE ON messages
BEGIN
    DELETE FROM message_attachments WHERE message_id = OLD.id;
END;

CREATE TRIGGER attachments_after_last_link_delete AFTER DELETE ON message_attachments
WHEN NOT EXISTS (SELECT 1 FROM message_attachments AS other WHERE other.sha256 = OLD.sha256)
BEGIN
    DELETE FROM attachments WHERE sha256 = OLD.sha256;
END;

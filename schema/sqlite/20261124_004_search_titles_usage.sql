-- Full-text search over message content. An external-content FTS5 table keyed by messages.seq
-- (stable, an INTEGER PRIMARY KEY), kept in step by triggers, so every writer keeps it right.
-- `seq` is repeated as an unindexed column so queries can name it (sqlc knows no FTS rowid).
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content,
    seq UNINDEXED,
    content = 'messages',
    content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO messages_fts (rowid, content, seq) SELECT seq, content, seq FROM messages;

CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO messages_fts (rowid, content, seq) VALUES (NEW.seq, NEW.content, NEW.seq);
END;

CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, seq) VALUES ('delete', OLD.seq, OLD.content, OLD.seq);
END;

CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF content ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, seq) VALUES ('delete', OLD.seq, OLD.content, OLD.seq);
    INSERT INTO messages_fts (rowid, content, seq) VALUES (NEW.seq, NEW.content, NEW.seq);
END;

-- Token usage as the provider reported it, on assistant messages; NULL when it reported none.
ALTER TABLE messages ADD COLUMN input_tokens INTEGER;
ALTER TABLE messages ADD COLUMN output_tokens INTEGER;

-- Sessions are found by title (`-s "Trip planning"`) and by id prefix (the primary key).
CREATE INDEX idx_sessions_name ON sessions(name) WHERE name IS NOT NULL;

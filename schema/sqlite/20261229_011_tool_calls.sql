-- Tools (MCP): a reply may ask to run tools, and each tool's result is part of the conversation.
-- A reply's requests are a JSON array of {id, name, arguments} in `tool_calls`. A result is a
-- message of its own, in order after the reply that asked for it, whose `tool_call_id` names
-- the call it answers and whose content is what the tool returned (so search finds it).
--
-- A result is stored with role 'user' (as Anthropic's API sends results: in the user's turn),
-- and read back as role 'tool' wherever tool_call_id is set: widening messages.role's CHECK
-- would mean copying the whole table (about 17 s and a WAL as big as the database for a million
-- messages), where these added columns cost nothing. Questions are role 'user' with no
-- tool_call_id: every query that means questions says so.
ALTER TABLE messages ADD COLUMN tool_calls TEXT CHECK (tool_calls IS NULL OR (role = 'assistant' AND json_valid(tool_calls)));
ALTER TABLE messages ADD COLUMN tool_call_id TEXT CHECK (tool_call_id IS NULL OR role = 'user');
ALTER TABLE messages ADD COLUMN tool_error BOOLEAN NOT NULL DEFAULT 0 CHECK (tool_error IN (0, 1));

-- A session's first question is a question, never a tool's result.
DROP TRIGGER messages_after_insert;
CREATE TRIGGER messages_after_insert AFTER INSERT ON messages
BEGIN
    UPDATE sessions SET
        message_count = message_count + 1,
        first_user_message = CASE
            WHEN first_user_message IS NULL AND NEW.role = 'user' AND NEW.tool_call_id IS NULL THEN substr(NEW.content, 1, 500)
            ELSE first_user_message
        END
    WHERE id = NEW.session_id;
END;

DROP TRIGGER messages_after_delete;
CREATE TRIGGER messages_after_delete AFTER DELETE ON messages
BEGIN
    UPDATE sessions SET
        message_count = message_count - 1,
        first_user_message = CASE
            WHEN OLD.role = 'user' AND OLD.tool_call_id IS NULL THEN (
                SELECT substr(content, 1, 500) FROM messages
                WHERE messages.session_id = OLD.session_id AND messages.role = 'user' AND messages.tool_call_id IS NULL
                ORDER BY seq LIMIT 1
            )
            ELSE first_user_message
        END
    WHERE id = OLD.session_id;
END;

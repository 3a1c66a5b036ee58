-- Tools (MCP): a reply may ask to run tools, and each tool's result is part of the conversation.
-- A reply's requests are a JSON array of {id, name, arguments} in `tool_calls` (text, so it
-- reads back exactly as written, key order included, as on SQLite). A result is a message of
-- its own, in order after the reply that asked for it, whose `tool_call_id` names the call it
-- answers and whose content is what the tool returned (so search finds it).
--
-- A result is stored with role 'user' (as Anthropic's API sends results: in the user's turn) and
-- read back as role 'tool' wherever tool_call_id is set, as on SQLite, where widening the role's
-- CHECK would mean copying the whole table. Questions are role 'user' with no tool_call_id.
-- The checks are added NOT VALID: every existing row has neither column, so none needs reading.
ALTER TABLE messages ADD COLUMN tool_calls text;
ALTER TABLE messages ADD COLUMN tool_call_id text;
ALTER TABLE messages ADD COLUMN tool_error boolean NOT NULL DEFAULT false;
ALTER TABLE messages ADD CONSTRAINT messages_tool_calls_check CHECK (tool_calls IS NULL OR role = 'assistant') NOT VALID;
ALTER TABLE messages ADD CONSTRAINT messages_tool_call_id_check CHECK (tool_call_id IS NULL OR role = 'user') NOT VALID;

-- A session's first question is a question, never a tool's result.
CREATE OR REPLACE FUNCTION synapse_messages_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions AS s SET
        message_count = s.message_count + added.count,
        first_user_message = COALESCE(s.first_user_message, added.first_user_message)
    FROM (
        SELECT session_id, count(*) AS count,
            (array_agg(substr(content, 1, 500) ORDER BY seq) FILTER (WHERE role = 'user' AND tool_call_id IS NULL))[1] AS first_user_message
        FROM added_messages
        GROUP BY session_id
    ) AS added
    WHERE s.id = added.session_id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION synapse_messages_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions AS s SET
        message_count = s.message_count - removed.count,
        first_user_message = CASE
            WHEN removed.users > 0 THEN (
                SELECT substr(m.content, 1, 500) FROM messages AS m
                WHERE m.session_id = s.id AND m.role = 'user' AND m.tool_call_id IS NULL
                ORDER BY m.seq LIMIT 1
            )
            ELSE s.first_user_message
        END
    FROM (
        SELECT session_id, count(*) AS count, count(*) FILTER (WHERE role = 'user' AND tool_call_id IS NULL) AS users
        FROM removed_messages
        GROUP BY session_id
    ) AS removed
    WHERE s.id = removed.session_id;
    RETURN NULL;
END;
$$;

-- Many messages in one statement (an import, a copy): the statement-level triggers of migration
-- 002 then update each session's summary once per batch, not once per message, so a long
-- session is stored in time proportional to its length. Rows are inserted in the order given
-- (the arrays are read in step, and sorted by position), so seq keeps that order. Token counts
-- of -1 stand for none: a real count is never negative; likewise "" for a reply's provider or
-- model that is its session's (NULL in the table): a real name is never empty; and "" for no
-- tool calls or no tool call id (a real one is never empty either).
-- name: AddMessages :exec
INSERT INTO messages (id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens, provider, model,
    tool_calls, tool_call_id, tool_error)
SELECT batch.id, batch.session_id, batch.role, batch.content, batch.timestamp, batch.interrupted,
    NULLIF(batch.input_tokens, -1), NULLIF(batch.output_tokens, -1), NULLIF(batch.provider, ''), NULLIF(batch.model, ''),
    NULLIF(batch.tool_calls, ''), NULLIF(batch.tool_call_id, ''), batch.tool_error
FROM (
    SELECT generate_subscripts(@ids::uuid[], 1) AS position, unnest(@ids::uuid[]) AS id,
        unnest(@session_ids::uuid[]) AS session_id, unnest(@roles::text[]) AS role,
        unnest(@contents::text[]) AS content, unnest(@timestamps::timestamptz[]) AS timestamp,
        unnest(@interrupted::boolean[]) AS interrupted, unnest(@input_tokens::integer[]) AS input_tokens,
        unnest(@output_tokens::integer[]) AS output_tokens, unnest(@providers::text[]) AS provider,
        unnest(@models::text[]) AS model, unnest(@tool_calls::text[]) AS tool_calls,
        unnest(@tool_call_ids::text[]) AS tool_call_id, unnest(@tool_errors::boolean[]) AS tool_error
) AS batch
ORDER BY batch.position;

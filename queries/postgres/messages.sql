-- A reply's provider and model are NULL when they are its session's (see migration 004): the
-- store writes only an override.
-- A tool's result is stored with role 'user' and its tool_call_id (see migration 007).
-- name: AddMessage :exec
INSERT INTO messages (id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens, provider, model,
    tool_calls, tool_call_id, tool_error)
VALUES (@id, @session_id, @role, @content, @timestamp, @interrupted, sqlc.narg(input_tokens), sqlc.narg(output_tokens),
    sqlc.narg(provider), sqlc.narg(model), sqlc.narg(tool_calls), sqlc.narg(tool_call_id), @tool_error);

-- Moves a session's updated_at forward to a new message's time, never backward.
-- name: TouchSessionForMessage :exec
UPDATE sessions SET updated_at = @timestamp WHERE id = @session_id AND updated_at < @timestamp;

-- In the order they were added: seq grows with every insert, timestamps may tie. None while the
-- session is hidden (being imported or deleted). Each message's provider and model are its own,
-- or, NULL, its session's (src/storage/rows.ts keeps them on replies only).
-- name: GetMessages :many
SELECT m.id, m.session_id, m.role, m.content, m.timestamp, m.interrupted, m.input_tokens, m.output_tokens,
    COALESCE(m.provider, s.provider) AS provider, COALESCE(m.model, s.model) AS model,
    m.tool_calls, m.tool_call_id, m.tool_error
FROM messages AS m
JOIN sessions AS s ON s.id = m.session_id
WHERE m.session_id = @session_id AND s.state = 'visible'
ORDER BY m.seq;

-- What a reader of a session in pages starts from: how many messages it has, and the seq of the
-- last one. Pages read up to that seq hold exactly those messages, whatever is added meanwhile.
-- name: GetMessageSpan :one
SELECT count(*)::int AS count, coalesce(max(seq), 0)::bigint AS last_seq
FROM messages
WHERE session_id = @session_id
    AND (SELECT s.state FROM sessions AS s WHERE s.id = @session_id) = 'visible';

-- One page of a session's messages: up to @max of those after seq @after, up to seq @last, in
-- order. A keyset on the (session_id, seq) index: each page costs the same, however far in.
-- Provider and model as GetMessages reads them.
-- name: GetMessagePage :many
SELECT m.seq, m.id, m.session_id, m.role, m.content, m.timestamp, m.interrupted, m.input_tokens, m.output_tokens,
    COALESCE(m.provider, s.provider) AS provider, COALESCE(m.model, s.model) AS model,
    m.tool_calls, m.tool_call_id, m.tool_error
FROM messages AS m
JOIN sessions AS s ON s.id = m.session_id
WHERE m.session_id = @session_id AND m.seq > @after AND m.seq <= @last AND s.state = 'visible'
ORDER BY m.seq
LIMIT @max;

-- Before a session's own provider or model changes to @provider and @model (a copy bringing it up
-- to a later state), its replies that read theirs as NULL are given the old ones, so that what
-- wrote a reply never changes with it. Nothing happens when neither changes: no row is rewritten.
-- name: PinReplyModels :exec
UPDATE messages
SET provider = COALESCE(provider, (SELECT s.provider FROM sessions AS s WHERE s.id = @session_id)),
    model = COALESCE(model, (SELECT s.model FROM sessions AS s WHERE s.id = @session_id))
WHERE session_id = @session_id AND role = 'assistant' AND (provider IS NULL OR model IS NULL)
    AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = @session_id AND (s.provider <> @provider OR s.model <> @model));

-- Full-text search: the `candidates` most recent matches, ranked among themselves, best first.
-- websearch_to_tsquery reads any text ("a phrase", or, -word) without syntax errors.
-- Hits are marked with @hit_start and @hit_end, chosen afresh for each search so that no stored
-- text can contain them (src/storage/rows.ts); they hold no space, comma or quote, which the
-- options string would split on.
-- name: SearchMessages :many
SELECT m.session_id, m.id, m.role, m.tool_call_id, m.timestamp, s.name AS session_title, s.first_user_message,
    (-ts_rank(m.search, websearch_to_tsquery('english', @query)))::float8 AS score,
    -- A short message is shown whole; a long one as its best fragments.
    (CASE WHEN length(m.content) <= 200
        THEN ts_headline('english', m.content, websearch_to_tsquery('english', @query),
            'HighlightAll=true, StartSel=' || @hit_start::text || ', StopSel=' || @hit_end::text)
        ELSE ts_headline('english', m.content, websearch_to_tsquery('english', @query),
            'MaxWords=24, MinWords=12, MaxFragments=2, StartSel=' || @hit_start::text || ', StopSel=' || @hit_end::text || ', FragmentDelimiter=' || chr(8230))
    END)::text AS snippet
FROM (
    SELECT recent.seq FROM messages AS recent
    WHERE recent.search @@ websearch_to_tsquery('english', @query)
        -- Sessions being imported or deleted are left out here, before the newest are taken:
        -- a big hidden one would otherwise fill the candidates and hide every visible hit.
        AND NOT EXISTS (SELECT 1 FROM sessions AS hidden WHERE hidden.id = recent.session_id AND hidden.state <> 'visible')
    ORDER BY recent.seq DESC
    LIMIT @candidates
) AS hits
JOIN messages AS m ON m.seq = hits.seq
JOIN sessions AS s ON s.id = m.session_id AND s.state = 'visible'
ORDER BY score ASC, m.seq DESC
LIMIT @max;

-- The user's own questions, most recent first, for chat mode's Up-arrow history: read backwards
-- along seq, so the newest few of a million messages cost a few page reads. Repeats are left
-- to the caller, which drops them in order. (Tools' results are role 'user' too: not questions.)
-- name: RecentQuestions :many
SELECT m.content
FROM messages AS m
JOIN sessions AS s ON s.id = m.session_id
WHERE m.role = 'user' AND m.tool_call_id IS NULL AND s.state = 'visible'
ORDER BY m.seq DESC
LIMIT @max;

-- The @skip + 1st message of a session in order: the last one a fork of @skip + 1 copies.
-- name: GetMessageAt :one
SELECT id FROM messages WHERE session_id = @session_id ORDER BY seq LIMIT 1 OFFSET @skip;

-- A fork's messages: copies of the first @max of the source's, in order, with new ids.
-- Provider and model are copied as stored: NULL still means the session's, and the fork's are
-- the source's.
-- name: CopyMessages :execrows
INSERT INTO messages (id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens, provider, model,
    tool_calls, tool_call_id, tool_error)
SELECT gen_random_uuid(), @fork_id::uuid, source.role, source.content, source.timestamp, source.interrupted, source.input_tokens,
    source.output_tokens, source.provider, source.model, source.tool_calls, source.tool_call_id, source.tool_error
FROM messages AS source
WHERE source.session_id = @source_id
ORDER BY source.seq
LIMIT @max;

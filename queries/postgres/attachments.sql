-- Locks the files `hashes` for the rest of the transaction: taken before a file or a link to one
-- is added, as the trigger of migration 006 takes it before removing a file whose last link went,
-- so the one never removes a file the other is linking to (see that migration).
-- name: LockAttachments :exec
SELECT synapse_lock_attachments(@hashes::text[])::text AS locked;

-- A file's content, once: one already stored under the same SHA-256 is the same bytes.
-- name: AddAttachment :exec
INSERT INTO attachments (sha256, media_type, size, data)
VALUES (@sha256, @media_type, @size, @data)
ON CONFLICT (sha256) DO NOTHING;

-- Links of many messages at once (a question, an import's batch), the arrays read in step.
-- name: AddMessageAttachments :exec
INSERT INTO message_attachments (message_id, position, session_id, name, sha256)
SELECT unnest(@message_ids::uuid[]), unnest(@positions::integer[]), unnest(@session_ids::uuid[]),
    unnest(@names::text[]), unnest(@hashes::text[]);

-- What a session's messages carried, without the bytes: one range of the session index.
-- name: GetSessionAttachments :many
SELECT ma.message_id, ma.position, ma.name, a.sha256, a.media_type, a.size
FROM message_attachments AS ma
JOIN attachments AS a ON a.sha256 = ma.sha256
WHERE ma.session_id = @session_id
ORDER BY ma.message_id, ma.position;

-- name: GetAttachmentData :one
SELECT data FROM attachments WHERE sha256 = @sha256;

-- A fork's links: its k-th message carries what the source's k-th carried. Both sets of
-- messages are numbered in order of seq (CopyMessages copies the source's in that order).
-- name: CopyMessageAttachments :execrows
INSERT INTO message_attachments (message_id, position, session_id, name, sha256)
SELECT fork_message.id, ma.position, @fork_id::uuid, ma.name, ma.sha256
FROM (SELECT m.id, row_number() OVER (ORDER BY m.seq) AS n FROM messages AS m WHERE m.session_id = @source_id) AS source_message
JOIN (SELECT m.id, row_number() OVER (ORDER BY m.seq) AS n FROM messages AS m WHERE m.session_id = @fork_id::uuid) AS fork_message
    ON fork_message.n = source_message.n
JOIN message_attachments AS ma ON ma.message_id = source_message.id
WHERE ma.session_id = @source_id;

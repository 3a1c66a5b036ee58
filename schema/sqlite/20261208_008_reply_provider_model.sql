-- The provider and model that wrote each reply: a continued session may be answered by another
-- model (`-m`, `-p`, `/model`) while its own provider and model stay the defaults it was started
-- with. NULL means "the session's": every row written before this migration reads so, and a
-- reply by the session's own provider and model is stored so too, which costs no bytes (only an
-- override is spelled out). Adding nullable columns without a default rewrites no row.
ALTER TABLE messages ADD COLUMN provider TEXT;
ALTER TABLE messages ADD COLUMN model TEXT;

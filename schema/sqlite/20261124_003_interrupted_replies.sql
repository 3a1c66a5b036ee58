-- A reply cut short (Ctrl+C, or a provider failing mid-reply) is kept as far as it came, and
-- marked, so `sessions show` can say so and nothing the user saw is lost.
ALTER TABLE messages ADD COLUMN interrupted BOOLEAN NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1));

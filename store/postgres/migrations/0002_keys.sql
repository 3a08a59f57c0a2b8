-- API keys of the HTTP API. hash is the SHA-256 of the whole key; the key
-- itself is never stored.
CREATE TABLE api_keys (
	id         TEXT COLLATE "C" PRIMARY KEY,
	name       TEXT NOT NULL,
	admin      BOOLEAN NOT NULL DEFAULT false,
	hash       BYTEA NOT NULL,
	created_at BIGINT NOT NULL, -- unix nanoseconds
	revoked_at BIGINT           -- unix nanoseconds; NULL while valid
);

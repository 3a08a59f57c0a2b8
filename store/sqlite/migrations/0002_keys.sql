-- API keys of the HTTP API. hash is the SHA-256 of the whole key; the key
-- itself is never stored.
CREATE TABLE api_keys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	admin      INTEGER NOT NULL DEFAULT 0,
	hash       BLOB NOT NULL,
	created_at INTEGER NOT NULL, -- unix nanoseconds
	revoked_at INTEGER           -- unix nanoseconds; NULL while valid
);

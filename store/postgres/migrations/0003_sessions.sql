-- Sessions of users signed in through OpenID Connect. id_hash is the
-- SHA-256 of the session id; the id itself lives only in the browser's
-- cookie. No token of the identity provider is ever stored.
CREATE TABLE sessions (
	id_hash    BYTEA PRIMARY KEY,
	subject    TEXT NOT NULL,            -- the provider's sub
	name       TEXT NOT NULL DEFAULT '',
	email      TEXT NOT NULL DEFAULT '',
	admin      BOOLEAN NOT NULL DEFAULT false,
	created_at BIGINT NOT NULL,          -- unix nanoseconds
	seen_at    BIGINT NOT NULL,          -- unix nanoseconds; the idle lifetime runs from here
	expires_at BIGINT NOT NULL           -- unix nanoseconds; the absolute lifetime
);

CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Sign-ins in progress, from the redirect to the provider to its
-- callback, which takes the row once. state_hash is the SHA-256 of the
-- OAuth state.
CREATE TABLE logins (
	state_hash BYTEA PRIMARY KEY,
	nonce      TEXT NOT NULL,
	verifier   TEXT NOT NULL,            -- the PKCE code verifier
	next       TEXT NOT NULL,            -- the same-origin path to return to
	expires_at BIGINT NOT NULL           -- unix nanoseconds
);

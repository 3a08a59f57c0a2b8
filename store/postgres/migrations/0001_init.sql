-- Deliberations: one row each, kept up to date by every append.
CREATE TABLE deliberations (
	id         TEXT COLLATE "C" PRIMARY KEY,
	question   TEXT NOT NULL,
	rule       TEXT NOT NULL,
	owner      TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	decision   TEXT NOT NULL DEFAULT '',
	simulated  BOOLEAN NOT NULL DEFAULT false,
	created_at BIGINT NOT NULL, -- unix nanoseconds
	updated_at BIGINT NOT NULL, -- unix nanoseconds
	instance   TEXT NOT NULL DEFAULT '', -- the store instance that runs it
	last_seq   BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX deliberations_history ON deliberations (created_at DESC, id DESC);
CREATE INDEX deliberations_owner_history ON deliberations (owner, created_at DESC, id DESC);
CREATE INDEX deliberations_running ON deliberations (instance) WHERE status = 'running';

-- Events: the journal; data is the event as sent on the wire.
CREATE TABLE events (
	deliberation_id TEXT COLLATE "C" NOT NULL REFERENCES deliberations (id) ON DELETE CASCADE,
	seq             BIGINT NOT NULL,
	type            TEXT NOT NULL,
	data            JSON NOT NULL,
	PRIMARY KEY (deliberation_id, seq)
);

-- The council each deliberation was put to, for the history ('' before
-- councils existed).
ALTER TABLE deliberations ADD COLUMN council TEXT NOT NULL DEFAULT '';

-- Saved councils: presets of the four agents. owner is '' for a shared
-- council (made by an admin, the CLI or the open API); doc is the council
-- document, JSON, checked before it is stored (TEXT, not JSONB: kept as
-- written).
CREATE TABLE councils (
	owner      TEXT COLLATE "C" NOT NULL,
	name       TEXT COLLATE "C" NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	doc        TEXT NOT NULL,
	created_at BIGINT NOT NULL, -- unix nanoseconds
	updated_at BIGINT NOT NULL, -- unix nanoseconds
	PRIMARY KEY (owner, name)
);

-- Conversations: a follow-up question continues the conversation of an
-- earlier deliberation. conversation_id is the id of the conversation's
-- first deliberation; parent_id the deliberation a follow-up follows ('' for
-- a first question). Every deliberation stored before is a conversation of
-- its own.
ALTER TABLE deliberations ADD COLUMN conversation_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE deliberations ADD COLUMN parent_id TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE deliberations SET conversation_id = id;

-- A conversation's turns in order, in one range of the index.
CREATE INDEX deliberations_conversation ON deliberations (conversation_id, created_at, id);
-- Whether a deliberation has follow-ups.
CREATE INDEX deliberations_followups ON deliberations (parent_id);

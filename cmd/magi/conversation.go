package main

import (
	"context"
	"fmt"
	"io"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/minutes"
)

// followUp places q, for `magi ask --follow ref`, in the conversation of
// deliberation ref — "last" is the newest deliberation of the store — and
// returns it with the turn it follows. The follow-up belongs to the
// conversation's owner: the CLI is the operator's tool and sees every
// deliberation.
func followUp(ctx context.Context, st magi.Store, q magi.Question, ref string) (magi.Question, *magi.Turn, error) {
	id := ref
	if ref == "last" {
		page, err := st.List(ctx, magi.ListFilter{Limit: 1})
		if err != nil {
			return q, nil, err
		}
		if len(page.Items) == 0 {
			return q, nil, magi.Errorf(magi.ENOTFOUND, `no deliberation to follow up yet: ask one first, magi ask "Should we adopt a four-day work week?"`)
		}
		id = page.Items[0].ID
	}
	turns, err := st.Conversation(ctx, id, "")
	if err != nil {
		return q, nil, named(err, id)
	}
	thread := magi.Thread(turns, id)
	parent := thread[len(thread)-1]
	if err := parent.Followable(); err != nil {
		return q, nil, err
	}
	q.ParentID, q.ConversationID, q.Earlier, q.Owner = parent.ID, parent.ConversationID, thread, parent.Owner
	return q, &parent, nil
}

// parentOf is the turn the deliberation of s follows, for the header of
// its replay; nil for a first question, or when it cannot be read.
func parentOf(ctx context.Context, st magi.Store, s magi.Summary) *magi.Turn {
	if s.ParentID == "" {
		return nil
	}
	turns, err := st.Conversation(ctx, s.ID, "")
	if err != nil {
		return nil
	}
	for _, t := range turns {
		if t.ID == s.ParentID {
			return &t
		}
	}
	return nil
}

// conversationOf reads the conversation of deliberation args[0], for
// `show` and `export` with --conversation.
func conversationOf(ctx context.Context, st magi.Store, args []string) (magi.Conversation, error) {
	if len(args) != 1 {
		return magi.Conversation{}, magi.Errorf(magi.EINVALID, "name one deliberation id (see magi history)")
	}
	c, err := magi.ReadConversation(ctx, st, args[0], "")
	return c, named(err, args[0])
}

// writeConversation prints conversation c as JSON or as its minutes.
func writeConversation(env *environment, c magi.Conversation, asJSON bool) error {
	if asJSON {
		return writeJSON(env, c)
	}
	_, err := io.WriteString(env.stdout, minutes.Conversation(c.Turns))
	return err
}

// rmConversation deletes the conversation of deliberation id, for
// `magi rm --conversation`.
func rmConversation(ctx context.Context, env *environment, st magi.Store, id string) error {
	ids, err := st.DeleteConversation(ctx, id, "")
	if err != nil {
		return named(err, id)
	}
	for _, d := range ids {
		fmt.Fprintf(env.stdout, "deleted %s\n", d)
	}
	return nil
}

package feed

import (
	"strings"

	"github.com/magi-system/magi"
)

// maxMerged bounds the content of a chunk that coalesce builds.
const maxMerged = 16 << 10

// coalesce merges, within one batch of queued events, the chunks of an
// agent that the store has not caught up with into one chunk. A batch holds
// more than one event only when the store is behind, so under light load
// nothing changes and every delta still leaves as its own event; under heavy
// load the store, the hub and every subscriber do less work per token. An
// agent's text keeps its order: a chunk is merged into the agent's previous
// chunk only when no other event of that agent, and no event of the whole
// council (start, complete, a fatal error), stands between them.
//
// Each merged text is built once, in a buffer that grows by doubling, not
// by concatenating every delta to what came before (which copied the text
// again for each token: quadratic in the batch).
func coalesce(batch []magi.Event) []magi.Event {
	if len(batch) < 2 {
		return batch
	}
	open := map[magi.AgentID]int{} // agent → index in out of its mergeable chunk
	merged := map[int]*strings.Builder{}
	out := batch[:0]
	for _, e := range batch {
		if e.Type != magi.EventChunk {
			if e.Agent == "" {
				clear(open)
			} else {
				delete(open, e.Agent)
			}
			out = append(out, e)
			continue
		}
		if i, ok := open[e.Agent]; ok {
			sb := merged[i]
			if sb == nil {
				sb = &strings.Builder{}
				sb.WriteString(out[i].Content)
				merged[i] = sb
			}
			if sb.Len()+len(e.Content) <= maxMerged {
				sb.WriteString(e.Content)
				continue
			}
		}
		open[e.Agent] = len(out)
		out = append(out, e)
	}
	for i, sb := range merged {
		out[i].Content = sb.String()
	}
	clear(batch[len(out):])
	return out
}

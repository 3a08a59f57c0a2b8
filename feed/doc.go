// Package feed carries the events of a deliberation from the council to
// every reader: the terminal, the browser and Lambda alike.
//
// The write side is the Journal, one per process. Each deliberation's
// Writer queues what the council emits; the Journal's goroutine takes what
// every deliberation queued since its last write, coalesces each
// deliberation's queued chunks, gives each event its seq (1, 2, 3 … in
// emission order) and encodes it once, stores it all in one transaction
// (magi.Store.Write), and only then publishes the events to the Hub and
// shows them to its observer (the metrics, the quotas). The deliberations
// begun since its last write are created together, in a transaction of
// their own ahead of the events; a deliberation may emit while it is
// being created (its events wait behind the creation, and are dropped if
// it is refused), so its model calls need not wait for the store. It is
// the one batching layer: nothing is
// delivered before it is stored, so whatever one client saw, any later
// client can replay.
//
// The Hub fans events out in process. Publishing never blocks the
// Journal: each subscriber has a bounded buffer and a ready signal; one
// whose buffer is full is dropped and catches up from the store.
//
// The read side is Feed.Follow, the one implementation of "follow a
// deliberation from seq N" (magi.Stream). To resume after seq N it
//
//  1. subscribes to the Hub,
//  2. reads the stored events after N, in pages, up to the stored head,
//  3. continues with live events, dropping any seq already returned.
//
// The order is what makes the stream gap-free and duplicate-free. An event
// stored before step 1 is found by step 2. An event stored after step 1 is
// published after step 1 (publishing follows storing), so it reaches the
// subscription. Every event is thus seen at least once, and dropping
// seq <= the last returned makes it exactly once. Should a live event still
// skip ahead (a subscription created mid-way, a coalesced notice), the
// missing range is read from the store; a dropped subscription is renewed
// and step 2 runs again. A resume that finds nothing stored after N asks
// the store whether the deliberation has ended, so that a client resuming
// after the terminal event is not left waiting. Step 2 is skipped when the
// Hub knows the store holds nothing the subscription will not bring: this
// process writes the deliberation, has published nothing after N and not
// its end (the stream a POST opens on the deliberation it starts).
//
// A stream runs in its reader's goroutine (Next, and a wait on Ready), so
// an open stream costs no goroutine of its own.
//
// Feed.Watch extends the Hub across processes that share a store: on each
// store notice for a deliberation that has local subscribers but runs
// elsewhere, it reads the new events once and publishes them locally.
// Feed.Poll does the same for a store that gives no notices (SQLite): it
// polls the store, only while such a deliberation has subscribers here.
package feed

// Package feed carries the events of a deliberation from the council to
// every subscriber: the terminal, the browser and Lambda alike.
//
// The write side is the Journal: each Writer queues what the council emits,
// assigns seq 1, 2, 3 … in emission order, appends the queued events to the
// store as one batch (group commit), and only then publishes them to the
// Hub. Nothing is delivered before it is stored, so whatever one client
// saw, any later client can replay.
//
// The Hub fans events out in process. Publish never blocks the Writer: a
// subscriber whose bounded buffer is full is dropped and catches up from
// the store.
//
// The read side is Feed.Subscribe. To resume after seq N it
//
//  1. subscribes to the Hub,
//  2. reads the stored events after N, in pages, up to the stored head,
//  3. continues with live events, dropping any seq already yielded.
//
// The order is what makes the stream gap-free and duplicate-free. An event
// stored before step 1 is found by step 2. An event stored after step 1 is
// published after step 1 (publishing follows storing), so it reaches the
// subscription. Every event is thus seen at least once, and dropping
// seq <= the last yielded makes it exactly once. Should a live event still
// skip ahead (a subscription created mid-way, a coalesced notice), the
// missing range is read from the store; a dropped subscription is renewed
// and step 2 runs again. A resume that finds nothing stored after N asks
// the store whether the deliberation has ended, so that a client resuming
// after the terminal event is not left waiting.
//
// Feed.Open gives the same stream as a Cursor that its caller drives from
// its own goroutine (Subscribe is a loop over one): the server's SSE
// handler uses it, so an open stream costs no goroutine of its own.
//
// Feed.Watch extends the Hub across processes that share a store: on each
// store notice for a deliberation that has local subscribers but runs
// elsewhere, it reads the new events once and publishes them locally.
// Feed.Poll does the same for a store that gives no notices (SQLite): it
// polls the store, only while such a deliberation has subscribers here.
package feed

package feed

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi"
)

// SpanWrite is the span of a journal write, under the deliberation's.
const SpanWrite = "magi.store.write"

// The attributes of a write's span.
const (
	attrID         = attribute.Key("magi.deliberation.id")
	attrCreate     = attribute.Key("magi.write.create")
	attrEvents     = attribute.Key("magi.write.events")
	attrTypes      = attribute.Key("magi.write.types")
	attrFirstSeq   = attribute.Key("magi.write.first_seq")
	attrLastSeq    = attribute.Key("magi.write.last_seq")
	attrBatch      = attribute.Key("magi.write.batch.events")
	attrBatchDelib = attribute.Key("magi.write.batch.deliberations")
)

// Trace makes the journal trace its writes with t: a span under a
// deliberation's span for the write that creates it and for each write
// that stores one of its milestones (start, round, verdict, tally,
// complete, error), so a slow commit shows where a deliberation waited.
// The writes of chunks and trace events alone are not traced: there are
// hundreds of them. Call it before the first Open; nil (the default)
// traces nothing.
func (j *Journal) Trace(t trace.Tracer) { j.tracer = t }

// writeTrace measures one write when the journal traces; its zero value
// (tracing off) reads no clock.
type writeTrace struct {
	began time.Time
}

// startWrite begins the measure of a write.
func (j *Journal) startWrite() writeTrace {
	if j.tracer == nil {
		return writeTrace{}
	}
	return writeTrace{began: time.Now()}
}

// end makes the spans of the write that created opening and stored the
// events of written, with its outcome.
func (wt writeTrace) end(j *Journal, opening []*opening, written []*run, refused magi.Refused) {
	if wt.began.IsZero() {
		return
	}
	ended := time.Now()
	batch := 0
	for _, r := range written {
		batch += len(r.events)
	}
	deliberations := len(opening) + len(written)
	span := func(sc trace.SpanContext, id string, err error, attrs ...attribute.KeyValue) {
		if !sc.IsSampled() {
			return
		}
		ctx := trace.ContextWithSpanContext(context.Background(), sc)
		_, s := j.tracer.Start(ctx, SpanWrite, trace.WithTimestamp(wt.began), trace.WithAttributes(attrID.String(id),
			attrBatch.Int(batch), attrBatchDelib.Int(deliberations)), trace.WithAttributes(attrs...))
		if err != nil {
			s.SetStatus(codes.Error, magi.ErrorMessage(err))
		}
		s.End(trace.WithTimestamp(ended))
	}
	for i, o := range opening {
		span(o.w.span, o.d.ID, refused.Create[i], attrCreate.Bool(true))
	}
	for i, r := range written {
		types := milestones(r.events)
		if len(types) == 0 {
			continue
		}
		span(r.w.span, r.w.id, refused.Append[i], attrEvents.Int(len(r.events)), attrTypes.StringSlice(types),
			attrFirstSeq.Int64(r.first), attrLastSeq.Int64(r.first+int64(len(r.events))-1))
	}
}

// milestones lists the types of the events of a run that are not chunks
// or traces, in order.
func milestones(events []magi.Encoded) []string {
	var types []string
	for i := range events {
		if t := events[i].Event.Type; t != magi.EventChunk && t != magi.EventTrace {
			types = append(types, string(t))
		}
	}
	return types
}

package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/magi-system/magi"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are MAGI's Prometheus metrics. Events are observed once, on the
// write side (Observe), never per subscriber.
type Metrics struct {
	reg          *prometheus.Registry
	deliberation *prometheus.CounterVec
	startedTotal prometheus.Counter
	firstChunk   prometheus.Histogram
	agentFirst   *prometheus.HistogramVec
	agentTotal   *prometheus.HistogramVec
	tokens       *prometheus.CounterVec
	cost         *prometheus.CounterVec
	errors       *prometheus.CounterVec
	streams      prometheus.Gauge
	// genAITokens and genAIDuration are the GenAI semantic conventions'
	// client metrics (genai.go).
	genAITokens   *prometheus.HistogramVec
	genAIDuration *prometheus.HistogramVec

	mu     sync.Mutex
	starts map[string]time.Time
	models map[string]bool // the request models labelled so far (genai.go)
}

// NewMetrics registers the metrics; running, when not nil, reports the
// number of running deliberations.
func NewMetrics(running func() int) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), starts: map[string]time.Time{}, models: map[string]bool{}}
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}
	m.deliberation = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "magi_deliberations_total",
		Help: "Deliberations that ended, by final status."}, []string{"status"})
	m.startedTotal = prometheus.NewCounter(prometheus.CounterOpts{Name: "magi_deliberations_started_total",
		Help: "Deliberations started."})
	m.firstChunk = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "magi_time_to_first_chunk_seconds",
		Help: "Time from the start of a deliberation to its first chunk.", Buckets: buckets})
	m.agentFirst = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "magi_agent_first_token_seconds",
		Help: "Per-agent latency to the first token.", Buckets: buckets}, []string{"agent", "provider"})
	m.agentTotal = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "magi_agent_duration_seconds",
		Help: "Per-agent duration of a turn.", Buckets: buckets}, []string{"agent", "provider"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "magi_tokens_total",
		Help: "Tokens used, by agent and direction."}, []string{"agent", "direction"})
	m.cost = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "magi_cost_usd_total",
		Help: "Cost in USD of the turns whose price is known."}, []string{"agent"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "magi_provider_errors_total",
		Help: "Failed model calls by kind."}, []string{"agent", "kind"})
	m.streams = prometheus.NewGauge(prometheus.GaugeOpts{Name: "magi_open_streams",
		Help: "Event streams open now."})
	m.genAITokens, m.genAIDuration = newGenAIMetrics()
	m.reg.MustRegister(m.deliberation, m.startedTotal, m.firstChunk, m.agentFirst, m.agentTotal, m.tokens, m.cost, m.errors, m.streams,
		m.genAITokens, m.genAIDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if running != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "magi_running_deliberations",
			Help: "Deliberations running in this process."}, func() float64 { return float64(running()) }))
	}
	return m
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) started()      { m.startedTotal.Inc() }
func (m *Metrics) streamOpened() { m.streams.Inc() }
func (m *Metrics) streamClosed() { m.streams.Dec() }

// Observe counts one journaled event of a deliberation.
func (m *Metrics) Observe(e magi.Event) {
	switch e.Type {
	case magi.EventStart:
		m.mu.Lock()
		m.starts[e.DeliberationID] = time.Now()
		m.mu.Unlock()
	case magi.EventChunk:
		m.mu.Lock()
		began, ok := m.starts[e.DeliberationID]
		if ok && !began.IsZero() {
			m.firstChunk.Observe(time.Since(began).Seconds())
			m.starts[e.DeliberationID] = time.Time{}
		}
		m.mu.Unlock()
	case magi.EventTrace:
		m.trace(e)
	case magi.EventError:
		if t := e.Agent; t != "" && !e.Fatal {
			m.errors.WithLabelValues(string(t), e.Code).Inc()
		}
	}
	if e.Terminal() {
		m.mu.Lock()
		delete(m.starts, e.DeliberationID)
		m.mu.Unlock()
		m.deliberation.WithLabelValues(string(magi.StatusOf(e))).Inc()
	}
}

func (m *Metrics) trace(e magi.Event) {
	t, agent := e.Trace, string(e.Agent)
	if t == nil {
		return
	}
	switch e.Stage {
	case magi.StageFirstToken:
		m.agentFirst.WithLabelValues(agent, t.Provider).Observe(float64(t.LatencyMS) / 1000)
	case magi.StageAgentDone:
		m.genAI(t)
		m.agentTotal.WithLabelValues(agent, t.Provider).Observe(float64(t.DurationMS) / 1000)
		if u := t.Tokens; u != nil {
			m.tokens.WithLabelValues(agent, "input").Add(float64(u.InputTokens))
			m.tokens.WithLabelValues(agent, "output").Add(float64(u.OutputTokens))
			if u.CostUSD != nil {
				m.cost.WithLabelValues(agent).Add(*u.CostUSD)
			}
		}
	}
}

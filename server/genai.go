package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// maxModelLabels bounds the request models the GenAI metrics label apart:
// a saved council may name any model a provider allows, and each label
// value is a time series kept for ever. The rest are labelled "_OTHER".
const maxModelLabels = 64

// The labels of the GenAI metrics: the conventions' attribute names, with
// Prometheus's underscores.
var (
	genAITokenLabels    = []string{"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type"}
	genAIDurationLabels = []string{"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"}
)

// newGenAIMetrics are the client metrics of the OpenTelemetry GenAI
// semantic conventions, gen_ai.client.token.usage and
// gen_ai.client.operation.duration, as Prometheus names them, with the
// conventions' bucket boundaries.
func newGenAIMetrics() (tokens, duration *prometheus.HistogramVec) {
	tokens = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gen_ai_client_token_usage",
		Help:    "Tokens used by each agent's model call (GenAI semantic conventions: gen_ai.client.token.usage), by token type.",
		Buckets: []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}},
		genAITokenLabels)
	duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gen_ai_client_operation_duration_seconds",
		Help:    "Duration of each agent's model call, retries and fallbacks included (GenAI semantic conventions: gen_ai.client.operation.duration).",
		Buckets: []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}},
		genAIDurationLabels)
	return tokens, duration
}

// genAI observes an agent's finished call in the GenAI metrics.
func (m *Metrics) genAI(t *magi.Trace) {
	prov, model := provider.GenAIName(t.Provider), m.modelLabel(t.Model)
	errType := string(t.ErrorKind)
	if t.Error != "" && errType == "" {
		errType = "_OTHER"
	}
	m.genAIDuration.WithLabelValues("chat", prov, model, errType).Observe(float64(t.DurationMS) / 1000)
	if u := t.Tokens; u != nil && (u.InputTokens > 0 || u.OutputTokens > 0) {
		m.genAITokens.WithLabelValues("chat", prov, model, "input").Observe(float64(u.InputTokens))
		m.genAITokens.WithLabelValues("chat", prov, model, "output").Observe(float64(u.OutputTokens))
	}
}

// modelLabel is model, or "_OTHER" once maxModelLabels models are labelled.
func (m *Metrics) modelLabel(model string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.models[model] {
		return model
	}
	if len(m.models) >= maxModelLabels {
		return "_OTHER"
	}
	m.models[model] = true
	return model
}

package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

type pingAnswer struct {
	Status string `json:"status"`
	At     int64  `json:"time_of_last_update"`
}

// TestServe_PingAndHealth: /ping is Healthy when idle and HealthyBusy while
// a deliberation runs; /healthz is ok.
func TestServe_PingAndHealth(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 40, Gap: 10 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	var health struct {
		Status  string `json:"status"`
		Running int    `json:"running"`
	}
	magitest.DoJSON(t, http.MethodGet, p.URL+"/healthz", "", http.StatusOK, &health)
	if health.Status != "ok" || health.Running != 0 {
		t.Errorf("/healthz = %+v, want ok with 0 running", health)
	}
	var ping pingAnswer
	magitest.DoJSON(t, http.MethodGet, p.URL+"/ping", "", http.StatusOK, &ping)
	now := time.Now().Unix()
	if ping.Status != "Healthy" || ping.At > now+1 || ping.At < now-60 {
		t.Errorf("idle /ping = %+v, want Healthy at about %d", ping, now)
	}
	id := magitest.StartDeliberation(t, p.URL, "Busy?")
	magitest.DoJSON(t, http.MethodGet, p.URL+"/ping", "", http.StatusOK, &ping)
	if ping.Status != "HealthyBusy" {
		t.Errorf("/ping while deliberating = %+v, want HealthyBusy", ping)
	}
	magitest.DoJSON(t, http.MethodGet, p.URL+"/healthz", "", http.StatusOK, &health)
	if health.Running != 1 {
		t.Errorf("/healthz while deliberating = %+v, want 1 running", health)
	}
	if rec := magitest.WaitStatus(t, p.URL, id, 15*time.Second); rec.Status != magi.StatusCompleted {
		t.Fatalf("status %s", rec.Status)
	}
	magitest.DoJSON(t, http.MethodGet, p.URL+"/ping", "", http.StatusOK, &ping)
	if ping.Status != "Healthy" {
		t.Errorf("/ping after the deliberation = %+v, want Healthy", ping)
	}
}

// TestServe_Metrics: after one deliberation /metrics shows it.
func TestServe_Metrics(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 10})
	p := startMagi(t, openaiEnv(url))
	magitest.Ask(magitest.Context(t, 20*time.Second), t, p.URL, "Count me").All(t)
	resp, err := http.Get(p.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	text := string(raw)
	for _, want := range []struct {
		metric string
		ok     func(float64) bool
	}{
		{`magi_deliberations_total{status="completed"}`, func(v float64) bool { return v == 1 }},
		{`magi_open_streams`, func(v float64) bool { return v == 0 }},
		{`magi_time_to_first_chunk_seconds_count`, func(v float64) bool { return v == 1 }},
		{`magi_tokens_total{agent="melchior",direction="output"}`, func(v float64) bool { return v > 0 }},
		{`magi_tokens_total{agent="solomon",direction="input"}`, func(v float64) bool { return v > 0 }},
	} {
		v, ok := metricValue(text, want.metric)
		if !ok || !want.ok(v) {
			t.Errorf("%s = %v (present %v)", want.metric, v, ok)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(text, "magi_"))
	}
}

// metricValue finds the sample `name value` in a Prometheus text page.
func metricValue(text, name string) (float64, bool) {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestServe_Invocations: the AgentCore contract streams the same events.
func TestServe_Invocations(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 8})
	p := startMagi(t, openaiEnv(url))
	req, _ := http.NewRequestWithContext(magitest.Context(t, 20*time.Second), http.MethodPost, p.URL+"/invocations",
		strings.NewReader(`{"prompt": "Should AgentCore run MAGI?"}`))
	req.Header.Set("Content-Type", "application/json")
	evs := magitest.OpenStream(t, req).All(t)
	magitest.CheckStream(t, evs)
	checkOrder(t, evs)
	if q := evs[0].Event.Question; q != "Should AgentCore run MAGI?" {
		t.Errorf("start question %q", q)
	}
	if end := magitest.Last(t, evs); end.Type != magi.EventComplete {
		t.Errorf("ended with %s", evs[len(evs)-1].Data)
	}
	if rec := magitest.Record(t, p.URL, evs[0].Event.DeliberationID); rec.Status != magi.StatusCompleted {
		t.Errorf("record status %s", rec.Status)
	}
}

// TestServe_SimCouncil: with no model configured, magi serve runs the
// simulated council and says so in the stream and the record.
func TestServe_SimCouncil(t *testing.T) {
	p := startMagi(t, map[string]string{"MAGI_SIM_PACE": "1ms"})
	evs := magitest.Ask(magitest.Context(t, 30*time.Second), t, p.URL, "Can we try without a model?").All(t)
	magitest.CheckStream(t, evs)
	first := evs[0].Event
	if first.Type != magi.EventStart || !first.Simulated || !strings.Contains(evs[0].Data, `"simulated":true`) {
		t.Errorf("start event %s, want simulated true", evs[0].Data)
	}
	for _, a := range first.Agents {
		if a.Provider != "sim" {
			t.Errorf("agent %s on provider %q, want sim", a.ID, a.Provider)
		}
	}
	if end := magitest.Last(t, evs); end.Type != magi.EventComplete {
		t.Errorf("ended with %s", evs[len(evs)-1].Data)
	}
	rec := magitest.Record(t, p.URL, first.DeliberationID)
	if !rec.Simulated || rec.Status != magi.StatusCompleted {
		t.Errorf("record simulated %v status %s, want simulated completed", rec.Simulated, rec.Status)
	}
}

// TestServe_WebUI: magi serve starts with its web UI mounted at / next to
// the API's JSON 404 for unknown /api/ routes (the two patterns once made
// net/http panic at start-up).
func TestServe_WebUI(t *testing.T) {
	p := startMagi(t, map[string]string{"MAGI_SIM_PACE": "1ms"})
	resp, err := magitest.Client.Get(p.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "MAGI") {
		t.Errorf("GET / = %d %s, want the UI's HTML", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = magitest.Client.Post(p.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", resp.StatusCode)
	}
	raw := magitest.DoJSON(t, http.MethodGet, p.URL+"/api/none", "", http.StatusNotFound, nil)
	checkErrorShape(t, raw, "not_found")
}

// TestServe_HealthWhileDraining: after SIGTERM, while running
// deliberations get their grace period, /healthz answers 503 draining so
// that a load balancer stops sending; the process still finishes them.
func TestServe_HealthWhileDraining(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 300, Gap: 20 * time.Millisecond})
	env := openaiEnv(url)
	env["MAGI_SHUTDOWN_GRACE"] = "30s"
	p := startMagi(t, env)
	ctx := magitest.Context(t, time.Minute)
	s := magitest.Ask(ctx, t, p.URL, "Drain?")
	s.Until(t, streaming())
	p.Signal(t, syscall.SIGTERM)
	var status int
	var body []byte
	for status == 0 || status == http.StatusOK { // until the signal is handled
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/healthz", nil)
		resp, err := magitest.Client.Do(req)
		if err != nil {
			t.Fatalf("/healthz while draining: %v (it answered %d until then)", err, status)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
	}
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), `"status":"draining"`) {
		t.Errorf("/healthz after SIGTERM: %d %s, want 503 draining", status, body)
	}
	s.Close()
}

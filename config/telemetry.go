package config

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// The OTLP protocols MAGI can export spans with.
const (
	ProtocolHTTP = "http/protobuf"
	ProtocolGRPC = "grpc"
)

// The samplers of OTEL_TRACES_SAMPLER.
var samplers = []string{"always_on", "always_off", "traceidratio", "parentbased_always_on",
	"parentbased_always_off", "parentbased_traceidratio"}

// Telemetry is MAGI's OpenTelemetry tracing, read from the standard OTEL_*
// variables. It is off unless an OTLP endpoint is set
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or
// OTEL_TRACES_EXPORTER=otlp; OTEL_SDK_DISABLED=true and
// OTEL_TRACES_EXPORTER=none turn it off whatever else is set. The
// exporter's other standard variables (headers, timeout, compression,
// certificates, OTEL_BSP_*) are read by the OpenTelemetry SDK itself when
// the exporter is built.
type Telemetry struct {
	// Enabled reports whether spans are exported.
	Enabled bool
	// Protocol is ProtocolHTTP or ProtocolGRPC
	// (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL).
	Protocol string
	// Endpoint is where spans go: for http/protobuf the whole traces URL
	// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or
	// OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces); for grpc the
	// collector's URL. Empty: the SDK's default (localhost).
	Endpoint string
	// ServiceName is OTEL_SERVICE_NAME, else the service.name of
	// OTEL_RESOURCE_ATTRIBUTES, else "magi".
	ServiceName string
	// Resource are the attributes of OTEL_RESOURCE_ATTRIBUTES, in order.
	Resource [][2]string
	// Sampler is OTEL_TRACES_SAMPLER (default parentbased_always_on),
	// SamplerArg its OTEL_TRACES_SAMPLER_ARG ratio (default 1).
	Sampler    string
	SamplerArg float64
	// CaptureContent records prompts and answers in spans
	// (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true); off, a
	// span holds no text of a question or an answer.
	CaptureContent bool
}

// readTelemetry reads the OTEL_* variables MAGI acts on.
func (c *Config) readTelemetry(getenv func(string) string) error {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	t := Telemetry{ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}
	var err error
	t.CaptureContent, err = envBool("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", env("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"))
	if err != nil {
		return err
	}
	if t.Resource, err = resourceAttributes(env("OTEL_RESOURCE_ATTRIBUTES")); err != nil {
		return err
	}
	for _, kv := range t.Resource {
		if kv[0] == "service.name" {
			t.ServiceName = kv[1]
		}
	}
	if name := env("OTEL_SERVICE_NAME"); name != "" {
		t.ServiceName = name
	}
	if err := t.readSampler(env); err != nil {
		return err
	}
	on, err := tracesOn(env)
	if err != nil || !on {
		c.Telemetry = t
		return err
	}
	t.Enabled = true
	t.Protocol = orDefault(env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), env("OTEL_EXPORTER_OTLP_PROTOCOL"))
	switch t.Protocol {
	case "":
		t.Protocol = ProtocolHTTP
	case ProtocolHTTP, ProtocolGRPC:
	default:
		return configError("OTEL_EXPORTER_OTLP_PROTOCOL=%q: MAGI exports spans with %s or %s", t.Protocol, ProtocolHTTP, ProtocolGRPC)
	}
	t.Endpoint, err = tracesEndpoint(env, t.Protocol)
	c.Telemetry = t
	return err
}

// tracesOn reports whether the variables ask for spans to be exported.
func tracesOn(env func(string) string) (bool, error) {
	disabled, err := envBool("OTEL_SDK_DISABLED", env("OTEL_SDK_DISABLED"))
	if err != nil || disabled {
		return false, err
	}
	switch exp := env("OTEL_TRACES_EXPORTER"); exp {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
		return env("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
	default:
		return false, configError("OTEL_TRACES_EXPORTER=%q: MAGI exports spans by OTLP only: set otlp, or none", exp)
	}
}

// tracesEndpoint is the URL spans are sent to, checked.
func tracesEndpoint(env func(string) string, protocol string) (string, error) {
	name, v := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	signal := v != ""
	if !signal {
		name, v = "OTEL_EXPORTER_OTLP_ENDPOINT", env("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", configError("%s=%q: want an http:// or https:// URL, like http://127.0.0.1:4318", name, redactURL(v))
	}
	if protocol == ProtocolHTTP && !signal {
		return strings.TrimRight(v, "/") + "/v1/traces", nil
	}
	return v, nil
}

// readSampler reads OTEL_TRACES_SAMPLER and its argument.
func (t *Telemetry) readSampler(env func(string) string) error {
	if s := env("OTEL_TRACES_SAMPLER"); s != "" {
		found := false
		for _, known := range samplers {
			found = found || s == known
		}
		if !found {
			return configError("OTEL_TRACES_SAMPLER=%q: use one of %s", s, strings.Join(samplers, ", "))
		}
		t.Sampler = s
	}
	arg := env("OTEL_TRACES_SAMPLER_ARG")
	if arg == "" || !strings.HasSuffix(t.Sampler, "traceidratio") {
		return nil
	}
	r, err := strconv.ParseFloat(arg, 64)
	if err != nil || r < 0 || r > 1 {
		return configError("OTEL_TRACES_SAMPLER_ARG=%q: want the share of traces kept, from 0 to 1, like 0.25", arg)
	}
	t.SamplerArg = r
	return nil
}

// resourceAttributes parses OTEL_RESOURCE_ATTRIBUTES: key=value pairs
// separated by commas, values percent-encoded.
func resourceAttributes(s string) ([][2]string, error) {
	var out [][2]string
	if s == "" {
		return nil, nil
	}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, configError("OTEL_RESOURCE_ATTRIBUTES: %q is not key=value: write pairs like deployment.environment=prod,team=ai", pair)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, configError("OTEL_RESOURCE_ATTRIBUTES: the value of %q is not percent-encoded correctly", k)
		}
		out = append(out, [2]string{k, dv})
	}
	return out, nil
}

// envBool reads a boolean variable: true or false, any case; empty is false.
func envBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, configError("%s=%q: want true or false", name, v)
}

// describeTelemetry prints the tracing settings for `magi agents`.
func (c *Config) describeTelemetry(w io.Writer) {
	t := c.Telemetry
	if !t.Enabled {
		fmt.Fprintf(w, "tracing (opentelemetry)\toff\t(set OTEL_EXPORTER_OTLP_ENDPOINT; see docs/OBSERVABILITY.md)\n")
		return
	}
	sampler := t.Sampler
	if strings.HasSuffix(sampler, "traceidratio") {
		sampler += " " + strconv.FormatFloat(t.SamplerArg, 'g', -1, 64)
	}
	content := "not recorded"
	if t.CaptureContent {
		content = "recorded (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)"
	}
	fmt.Fprintf(w, "tracing endpoint\t%s\t(%s)\n", orDefault(redactURL(t.Endpoint), "the SDK's default, localhost"), t.Protocol)
	fmt.Fprintf(w, "tracing service\t%s\t\n", t.ServiceName)
	fmt.Fprintf(w, "tracing sampler\t%s\t\n", sampler)
	fmt.Fprintf(w, "tracing prompts and answers\t%s\t\n", content)
}

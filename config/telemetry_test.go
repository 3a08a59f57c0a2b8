package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoad_TelemetryOffByDefault(t *testing.T) {
	c, err := Load(Flags{}, env())
	if err != nil {
		t.Fatal(err)
	}
	want := Telemetry{ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}
	if diff := cmp.Diff(want, c.Telemetry); diff != "" {
		t.Errorf("telemetry (-want +got):\n%s", diff)
	}
}

func TestLoad_Telemetry(t *testing.T) {
	tests := []struct {
		name   string
		getenv func(string) string
		want   Telemetry
	}{
		{"endpoint: http with /v1/traces", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/"),
			Telemetry{Enabled: true, Protocol: ProtocolHTTP, Endpoint: "http://127.0.0.1:4318/v1/traces", ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"traces endpoint as it is", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://b/otlp/traces"),
			Telemetry{Enabled: true, Protocol: ProtocolHTTP, Endpoint: "https://b/otlp/traces", ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"grpc", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
			Telemetry{Enabled: true, Protocol: ProtocolGRPC, Endpoint: "http://c:4317", ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"traces protocol wins", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
			Telemetry{Enabled: true, Protocol: ProtocolGRPC, Endpoint: "http://c:4317", ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"exporter otlp without endpoint", env("OTEL_TRACES_EXPORTER", "otlp"),
			Telemetry{Enabled: true, Protocol: ProtocolHTTP, ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"sdk disabled", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_SDK_DISABLED", "TRUE"),
			Telemetry{ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"exporter none", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_TRACES_EXPORTER", "none"),
			Telemetry{ServiceName: "magi", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"service, resource, sampler, content", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_SERVICE_NAME", "magi-prod",
			"OTEL_RESOURCE_ATTRIBUTES", "service.name=ignored, deployment.environment=prod,team=a%20b", "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
			"OTEL_TRACES_SAMPLER_ARG", "0.25", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true"),
			Telemetry{Enabled: true, Protocol: ProtocolHTTP, Endpoint: "http://a:4318/v1/traces", ServiceName: "magi-prod",
				Resource: [][2]string{{"service.name", "ignored"}, {"deployment.environment", "prod"}, {"team", "a b"}},
				Sampler:  "parentbased_traceidratio", SamplerArg: 0.25, CaptureContent: true}},
		{"service name from the resource", env("OTEL_RESOURCE_ATTRIBUTES", "service.name=council"),
			Telemetry{ServiceName: "council", Resource: [][2]string{{"service.name", "council"}}, Sampler: "parentbased_always_on", SamplerArg: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(Flags{}, tt.getenv)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.Telemetry); diff != "" {
				t.Errorf("telemetry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad_TelemetryMistakes(t *testing.T) {
	tests := []struct {
		getenv func(string) string
		says   string
	}{
		{env("OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318"), "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://x"), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
		{env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"), "http/protobuf or grpc"},
		{env("OTEL_TRACES_EXPORTER", "zipkin"), "otlp, or none"},
		{env("OTEL_TRACES_SAMPLER", "sometimes"), "parentbased_traceidratio"},
		{env("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2"), "from 0 to 1"},
		{env("OTEL_SDK_DISABLED", "yes"), "true or false"},
		{env("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "1"), "true or false"},
		{env("OTEL_RESOURCE_ATTRIBUTES", "team"), "key=value"},
		{env("OTEL_RESOURCE_ATTRIBUTES", "team=%zz"), "percent-encoded"},
	}
	for _, tt := range tests {
		_, err := Load(Flags{}, tt.getenv)
		if msg := wantConfigError(t, err); !strings.Contains(msg, tt.says) {
			t.Errorf("error %q does not say %q", msg, tt.says)
		}
	}
}

func TestDescribe_TelemetryHidesSecrets(t *testing.T) {
	c, err := Load(Flags{}, env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://user:hunter2secret@collector.example/v1/traces?api-key=topsecret1"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.Describe(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "hunter2secret") || strings.Contains(out, "topsecret1") {
		t.Errorf("magi agents shows a secret of the tracing endpoint:\n%s", out)
	}
	if !strings.Contains(out, "collector.example") {
		t.Errorf("magi agents does not show the tracing endpoint:\n%s", out)
	}
	off, _ := Load(Flags{}, env())
	b.Reset()
	_ = off.Describe(&b)
	if !strings.Contains(b.String(), "tracing (opentelemetry)  off") {
		t.Errorf("magi agents does not say tracing is off:\n%s", b.String())
	}
}

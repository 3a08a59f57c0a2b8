package config

import (
	"strings"
	"testing"
)

func TestLoad_Quotas(t *testing.T) {
	cfg, err := Load(Flags{}, env())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.QuotaPerMinute != 0 || cfg.QuotaConcurrent != DefaultMaxRunning/2 || cfg.QuotaTokensPerDay != 0 {
		t.Errorf("default quotas = %d, %d, %d; want 0 (unlimited), half of MAGI_MAX_RUNNING, 0", cfg.QuotaPerMinute, cfg.QuotaConcurrent, cfg.QuotaTokensPerDay)
	}
	cfg, err = Load(Flags{}, env("MAGI_QUOTA_PER_MINUTE", "10", "MAGI_QUOTA_CONCURRENT", "2", "MAGI_QUOTA_TOKENS_PER_DAY", "500000"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.QuotaPerMinute != 10 || cfg.QuotaConcurrent != 2 || cfg.QuotaTokensPerDay != 500000 {
		t.Errorf("quotas = %d, %d, %d; want 10, 2, 500000", cfg.QuotaPerMinute, cfg.QuotaConcurrent, cfg.QuotaTokensPerDay)
	}
	if src := cfg.Sources["quota_per_minute"]; src != "MAGI_QUOTA_PER_MINUTE" {
		t.Errorf("source of quota_per_minute = %q", src)
	}
	_, err = Load(Flags{}, env("MAGI_QUOTA_CONCURRENT", "-1"))
	if msg := wantConfigError(t, err); !strings.Contains(msg, `MAGI_QUOTA_CONCURRENT="-1"`) {
		t.Errorf("message %q does not name the variable and value", msg)
	}
}

// TestLoad_QuotaConcurrentShare: by default one key may run at most half
// of the server's running slots, so it cannot take them all; the share,
// or an absolute number, is set by MAGI_QUOTA_CONCURRENT.
func TestLoad_QuotaConcurrentShare(t *testing.T) {
	for _, tc := range []struct {
		env        []string
		want       int
		wantSource string
		wantShare  int
	}{
		{nil, 32, "built-in", 50},
		{[]string{"MAGI_MAX_RUNNING", "3"}, 2, "built-in", 50},
		{[]string{"MAGI_MAX_RUNNING", "1"}, 1, "built-in", 50},
		{[]string{"MAGI_QUOTA_CONCURRENT", "25%"}, 16, "MAGI_QUOTA_CONCURRENT", 25},
		{[]string{"MAGI_QUOTA_CONCURRENT", "100%", "MAGI_MAX_RUNNING", "8"}, 8, "MAGI_QUOTA_CONCURRENT", 100},
		{[]string{"MAGI_QUOTA_CONCURRENT", "10"}, 10, "MAGI_QUOTA_CONCURRENT", 0},
		{[]string{"MAGI_QUOTA_CONCURRENT", "0"}, 0, "MAGI_QUOTA_CONCURRENT", 0},
	} {
		cfg, err := Load(Flags{}, env(tc.env...))
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if cfg.QuotaConcurrent != tc.want || cfg.QuotaConcurrentShare != tc.wantShare || cfg.Sources["quota_concurrent"] != tc.wantSource {
			t.Errorf("%v: QuotaConcurrent %d, share %d%%, from %q; want %d, %d%%, %q", tc.env,
				cfg.QuotaConcurrent, cfg.QuotaConcurrentShare, cfg.Sources["quota_concurrent"], tc.want, tc.wantShare, tc.wantSource)
		}
	}
	for _, bad := range []string{"0%", "101%", "-5%", "half", "50 %", "1.5"} {
		_, err := Load(Flags{}, env("MAGI_QUOTA_CONCURRENT", bad))
		if msg := wantConfigError(t, err); !strings.Contains(msg, "MAGI_QUOTA_CONCURRENT=") || !strings.Contains(msg, "%") {
			t.Errorf("MAGI_QUOTA_CONCURRENT=%s: message %q does not name the variable and the forms it takes", bad, msg)
		}
	}
}

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
	if cfg.QuotaPerMinute != 0 || cfg.QuotaConcurrent != 0 || cfg.QuotaTokensPerDay != 0 {
		t.Errorf("default quotas = %d, %d, %d; want 0 (unlimited)", cfg.QuotaPerMinute, cfg.QuotaConcurrent, cfg.QuotaTokensPerDay)
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

package openai

import "testing"

func TestStatusOfStreamError(t *testing.T) {
	for data, want := range map[string]int{
		`{"error":{"type":"server_error","message":"x"}}`:               503,
		`{"error":{"type":"requests","code":"rate_limit_exceeded"}}`:    429,
		`{"error":{"type":"invalid_request_error","code":null}}`:        400,
		`{"error":{"type":"authentication_error"}}`:                     401,
		`{"error":{"code":"model_not_found","type":"invalid_request"}}`: 404,
		`{"error":{"type":"weird"}}`:                                    0,
		`not json`:                                                      0,
	} {
		if got := statusOfStreamError([]byte(data)); got != want {
			t.Errorf("statusOfStreamError(%s) = %d, want %d", data, got, want)
		}
	}
}

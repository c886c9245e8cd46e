package config

import "testing"

// FuzzConfig: any bytes give a config or an error, never a panic.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("failOn: high\nseverity:\n  DF002: high\ndisable: [DF036]\ntrustedRegistries: [docker.io]\n"))
	f.Add([]byte("severity: {a: [b]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(".bulwark.yaml", data)
	})
}

package sigkey

import (
	"crypto/ecdsa"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	priv, pub, err := Generate([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(priv), "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----") || !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("PEM types:\n%s\n%s", priv, pub)
	}
	s, err := ParsePrivate("k", priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePublic("p", pub)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Public().(*ecdsa.PublicKey).Equal(p) {
		t.Error("the public key does not belong to the private key")
	}
	if _, err := ParsePrivate("k", priv, []byte("nope")); err == nil || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("wrong password: %v", err)
	}
	for _, bad := range []string{"", "not pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParsePrivate("k", []byte(bad), nil); err == nil {
			t.Errorf("%q parsed as a private key", bad)
		}
	}
}

// FuzzParsePrivate: a hostile key file (its KDF parameters come from the
// file) never panics; decryption runs with the file's parameters, so the
// seeds keep them small.
func FuzzParsePrivate(f *testing.F) {
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjoyLCJyIjoxLCJwIjoxfSwic2FsdCI6IkFBQUEifSwiY2lwaGVyIjp7Im5hbWUiOiJuYWNsL3NlY3JldGJveCIsIm5vbmNlIjoiQUFBQSJ9LCJjaXBoZXJ0ZXh0IjoiQUFBQSJ9\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParsePrivate("k", b, []byte("pw"))
		_, _ = ParsePublic("p", b)
	})
}

package secret

import "testing"

func TestName(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASSWORD": true, "apiKey": true, "GITHUB_TOKEN": true, "AWS_SECRET_ACCESS_KEY": true, "client_secret": true,
		"PASSWORD_FILE": false, "TOKEN_URL": false, "PWD": false, "PATH": false, "PASSENGER_VERSION": false, "SECRET_NAME": false, "AWS_ACCESS_KEY_ID": false,
	} {
		if got := Name(name); got != want {
			t.Errorf("Name(%s) = %v", name, got)
		}
	}
}

func TestFind(t *testing.T) {
	for s, want := range map[string]string{
		"key=AKIAIOSFODNN7EXAMPLE":                                                  "an AWS access key ID",
		"ghp_abcdefghijklmnopqrstuvwxyz0123456789AB":                                "a GitHub token",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nabc":                                  "a private key",
		"//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789": "an npm token",
		"nothing to see": "",
	} {
		f, _, ok := Find(s)
		if (want == "") == ok || (ok && f.Name != want) {
			t.Errorf("Find(%q) = %q, %v", s, f.Name, ok)
		}
	}
	if Mask("short") != "****" || Mask("ghp_abcdefghijkl") != "ghp_********" {
		t.Error("Mask")
	}
}

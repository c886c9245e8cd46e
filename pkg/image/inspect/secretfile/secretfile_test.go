package secretfile

import (
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	in := New()
	for _, c := range []struct {
		path, content string
		want          string // fact "what"; "" for none
	}{
		{"root/.aws/credentials", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "AWS"},
		{"root/.docker/config.json", `{"auths": {"b.io": {"auth": "dXNlcjpwYXNz"}, "a.io": {"auth": "eDp5"}}}`, "Docker registry credentials for a.io"},
		{"root/.docker/config.json", `{"credsStore": "desktop"}`, ""},
		{"home/app/.npmrc", "//registry.npmjs.org/:_authToken=abcdef0123456789\n", "an npm registry token"},
		{"home/app/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", ""},
		{"root/.git-credentials", "https://user:s3cret@github.com\n", "Git credentials"},
		{"app/.env", "DEBUG=1\n# API_KEY=commented\nAPI_KEY=live-value-1234\n", ".env value of API_KEY"},
		{"app/.env", "PASSWORD=$FROM_ENV\n", ""},
		{"root/.bash_history", "mysql -p hunter2\n", "a shell history"},
	} {
		if !in.Wants(c.path, int64(len(c.content)), 0o600) {
			t.Errorf("%s not wanted", c.path)
			continue
		}
		facts, err := in.Inspect(c.path, 0o600, []byte(c.content))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(facts) == 1 {
			got = facts[0].Data[KeyWhat]
			if strings.Contains(c.content, facts[0].Data[KeyExcerpt]) && len(facts[0].Data[KeyExcerpt]) > 8 {
				t.Errorf("%s: excerpt %q is not masked", c.path, facts[0].Data[KeyExcerpt])
			}
		}
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.path, got, c.want)
		}
	}
	if in.Wants("etc/ssl/certs/ca.pem", 100, 0o644) {
		t.Error("certificates are not secrets")
	}
}

func FuzzInspect(f *testing.F) {
	f.Add("app/.env", []byte("A_TOKEN=x\n"))
	f.Add("root/.docker/config.json", []byte(`{"auths":{"x":{"auth":"eDp5"}}}`))
	f.Add("root/.npmrc", []byte("_authToken=\"abc\""))
	in := New()
	f.Fuzz(func(t *testing.T, p string, b []byte) { _, _ = in.Inspect(p, 0o600, b) })
}

// TestApplicationFilesByContent: the application's own source and
// configuration files are read for token formats; the distribution's
// files and third-party packages are not.
func TestApplicationFilesByContent(t *testing.T) {
	in := New()
	for p, want := range map[string]bool{
		"app/config.py": true, "srv/api/settings.json": true, "opt/app/application.yml": true, "etc/myapp/app.conf": true,
		"usr/lib/python3/dist-packages/x/conf.py": false, "app/node_modules/x/test.js": false, "usr/share/doc/x.txt": false,
		"app/vendor/github.com/x/y.go": false, "app/logo.png": false,
	} {
		if got := in.Wants(p, 100, 0o644); got != want {
			t.Errorf("Wants(%s) = %v, want %v", p, got, want)
		}
	}
	facts, _ := in.Inspect("app/config.py", 0o644, []byte("TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'\n"))
	if len(facts) != 1 || strings.Contains(facts[0].Data[KeyExcerpt], "0123456789abcdef") {
		t.Errorf("facts %+v", facts)
	}
}

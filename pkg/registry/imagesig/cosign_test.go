package imagesig

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/registry/sigkey"
)

// cosign returns the path of a cosign binary of a major version (named
// cosign-v2 / cosign-v3 on PATH, as .ci/peers.sh installs them), skipping
// when there is none.
func cosign(t *testing.T, major string) string {
	t.Helper()
	p, err := exec.LookPath("cosign-" + major)
	if err != nil {
		t.Skipf("skipping: cosign-%s is not on PATH (.ci/peers.sh installs it)", major)
	}
	return p
}

func runCosign(t *testing.T, bin, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=pw", "COSIGN_YES=true", "SIGSTORE_NO_CACHE=true", "TUF_ROOT="+filepath.Join(dir, "tuf"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCosignV2Interop: against the reference registry, Bulwark verifies
// what cosign v2 signed and cosign v2 verifies what Bulwark signed, each
// with the other's keys too, offline (no transparency log).
func TestCosignV2Interop(t *testing.T) {
	bin := cosign(t, "v2")
	host := sharedtest.Registry(t)
	dir := t.TempDir()
	if out, err := runCosign(t, bin, dir, "generate-key-pair", "--output-key-prefix", "cosign"); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	priv, pub, err := sigkey.Generate([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "bulwark.key"), priv, 0o600)
	os.WriteFile(filepath.Join(dir, "bulwark.pub"), pub, 0o644)

	for _, key := range []string{"cosign", "bulwark"} {
		t.Run("cosign signs with the "+key+" key", func(t *testing.T) {
			d := pushRandom(t, host, "interop/cosign-signs-"+key)
			if out, err := runCosign(t, bin, dir, "sign", "--key", key+".key", "--tlog-upload=false", "-a", "who=cosign", d.String()); err != nil {
				t.Fatalf("cosign sign: %v\n%s", err, out)
			}
			pk, err := sigkey.LoadPublic(filepath.Join(dir, key+".pub"))
			if err != nil {
				t.Fatal(err)
			}
			vs, err := Verify(ctx, d, pk, VerifyOptions{RequireAnnotations: map[string]string{"who": "cosign"}})
			if err != nil || len(vs) != 1 {
				t.Fatalf("bulwark verify: %v", err)
			}
		})
		t.Run("bulwark signs with the "+key+" key", func(t *testing.T) {
			d := pushRandom(t, host, "interop/bulwark-signs-"+key)
			signer, err := sigkey.LoadPrivate(filepath.Join(dir, key+".key"), []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if err := Sign(ctx, d, signer, map[string]string{"who": "bulwark"}, Options{}); err != nil {
				t.Fatal(err)
			}
			out, err := runCosign(t, bin, dir, "verify", "--key", key+".pub", "--insecure-ignore-tlog=true", "-a", "who=bulwark", d.String())
			if err != nil || !strings.Contains(out, d.DigestStr()) {
				t.Fatalf("cosign verify: %v\n%s", err, out)
			}
			// And cosign rejects it with the wrong key.
			other := map[string]string{"cosign": "bulwark", "bulwark": "cosign"}[key]
			if out, err := runCosign(t, bin, dir, "verify", "--key", other+".pub", "--insecure-ignore-tlog=true", d.String()); err == nil {
				t.Errorf("cosign verified with the wrong key:\n%s", out)
			}
		})
	}
}

// TestCosignV3Interop: cosign v3's Sigstore bundles (stored under the
// fallback tag: the reference registry has no Referrers API), signed
// offline with a signing config that has no transparency log.
func TestCosignV3Interop(t *testing.T) {
	bin := cosign(t, "v3")
	host := sharedtest.Registry(t)
	dir := t.TempDir()
	if out, err := runCosign(t, bin, dir, "generate-key-pair", "--output-key-prefix", "cosign"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := runCosign(t, bin, dir, "signing-config", "create", "--out", "sc.json"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pub, err := sigkey.LoadPublic(filepath.Join(dir, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sigkey.LoadPrivate(filepath.Join(dir, "cosign.key"), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "bom.json"), []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`), 0o644)

	d := pushRandom(t, host, "interop/v3-cosign")
	if out, err := runCosign(t, bin, dir, "sign", "--key", "cosign.key", "--signing-config", "sc.json", "-a", "who=cosign", d.String()); err != nil {
		t.Fatalf("cosign sign: %v\n%s", err, out)
	}
	if vs, err := Verify(ctx, d, pub, VerifyOptions{RequireAnnotations: map[string]string{"who": "cosign"}}); err != nil || vs[0].Format != "bundle" {
		t.Fatalf("bulwark verify: %+v %v", vs, err)
	}
	if out, err := runCosign(t, bin, dir, "attest", "--key", "cosign.key", "--signing-config", "sc.json", "--predicate", "bom.json", "--type", "cyclonedx", d.String()); err != nil {
		t.Fatalf("cosign attest: %v\n%s", err, out)
	}
	if as, err := VerifyAttestations(ctx, d, pub, "https://cyclonedx.org/bom", Options{}); err != nil || len(as) != 1 {
		t.Fatalf("bulwark verify --attestation: %v", err)
	}

	d = pushRandom(t, host, "interop/v3-bulwark")
	if err := SignBundle(ctx, d, signer, map[string]string{"who": "bulwark"}, "", nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if out, err := runCosign(t, bin, dir, "verify", "--key", "cosign.pub", "--insecure-ignore-tlog=true", "-a", "who=bulwark", d.String()); err != nil {
		t.Fatalf("cosign verify: %v\n%s", err, out)
	}
	if err := SignBundle(ctx, d, signer, nil, "https://cyclonedx.org/bom", []byte(`{"bomFormat":"CycloneDX"}`), Options{}); err != nil {
		t.Fatal(err)
	}
	if out, err := runCosign(t, bin, dir, "verify-attestation", "--key", "cosign.pub", "--insecure-ignore-tlog=true", "--type", "cyclonedx", d.String()); err != nil {
		t.Fatalf("cosign verify-attestation: %v\n%s", err, out)
	}
}

// TestCosignV2Attestations: cosign v2's .att attestations, both ways.
func TestCosignV2Attestations(t *testing.T) {
	bin := cosign(t, "v2")
	host := sharedtest.Registry(t)
	dir := t.TempDir()
	if out, err := runCosign(t, bin, dir, "generate-key-pair", "--output-key-prefix", "cosign"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pub, _ := sigkey.LoadPublic(filepath.Join(dir, "cosign.pub"))
	signer, _ := sigkey.LoadPrivate(filepath.Join(dir, "cosign.key"), []byte("pw"))
	os.WriteFile(filepath.Join(dir, "bom.json"), []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`), 0o644)
	d := pushRandom(t, host, "interop/v2-att-cosign")
	if out, err := runCosign(t, bin, dir, "attest", "--key", "cosign.key", "--tlog-upload=false", "--predicate", "bom.json", "--type", "cyclonedx", d.String()); err != nil {
		t.Fatalf("cosign attest: %v\n%s", err, out)
	}
	if as, err := VerifyAttestations(ctx, d, pub, "https://cyclonedx.org/bom", Options{}); err != nil || len(as) != 1 || as[0].Format != "dsse" {
		t.Fatalf("bulwark: %+v %v", as, err)
	}
	d = pushRandom(t, host, "interop/v2-att-bulwark")
	if err := Attest(ctx, d, signer, "https://cyclonedx.org/bom", []byte(`{"bomFormat":"CycloneDX"}`), Options{}); err != nil {
		t.Fatal(err)
	}
	if out, err := runCosign(t, bin, dir, "verify-attestation", "--key", "cosign.pub", "--insecure-ignore-tlog=true", "--type", "cyclonedx", d.String()); err != nil {
		t.Fatalf("cosign verify-attestation: %v\n%s", err, out)
	}
}

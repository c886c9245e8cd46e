package osinfo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
)

// TestOSRelease reads each real os-release text in testdata and checks the
// OSV ecosystem its apk, deb or rpm packages get.
func TestOSRelease(t *testing.T) {
	for file, want := range map[string]struct{ id, typ, eco string }{
		"wolfi":               {"wolfi", sbom.TypeAPK, "Wolfi"},
		"alpine3.20":          {"alpine", sbom.TypeAPK, "Alpine:v3.20"},
		"debian12":            {"debian", sbom.TypeDeb, "Debian:12"},
		"ubuntu22.04":         {"ubuntu", sbom.TypeDeb, "Ubuntu:22.04:LTS"},
		"ubuntu24.04":         {"ubuntu", sbom.TypeDeb, "Ubuntu:24.04:LTS"},
		"ubi9":                {"rhel", sbom.TypeRPM, "Red Hat:enterprise_linux:9"},
		"rhel8":               {"rhel", sbom.TypeRPM, "Red Hat:enterprise_linux:8"},
		"rocky9":              {"rocky", sbom.TypeRPM, "Rocky Linux:9"},
		"alma9":               {"almalinux", sbom.TypeRPM, "AlmaLinux:9"},
		"opensuse-leap15.6":   {"opensuse-leap", sbom.TypeRPM, "openSUSE:Leap 15.6"},
		"opensuse-tumbleweed": {"opensuse-tumbleweed", sbom.TypeRPM, "openSUSE:Tumbleweed"},
		"sles15sp6":           {"sles", sbom.TypeRPM, "SUSE:Linux Enterprise Server 15 SP6"},
		"photon5":             {"photon", sbom.TypeRPM, "Photon OS:5.0"},
		"mariner2":            {"mariner", sbom.TypeRPM, "Azure Linux:2"},
		"azurelinux3":         {"azurelinux", sbom.TypeRPM, "Azure Linux:3"},
		// No OSV ecosystem: detected and named, packages not matched.
		"centos-stream9": {"centos", sbom.TypeRPM, ""},
		"fedora40":       {"fedora", sbom.TypeRPM, ""},
		"fedora42":       {"fedora", sbom.TypeRPM, ""},
		"amzn2":          {"amzn", sbom.TypeRPM, ""},
		"al2023":         {"amzn", sbom.TypeRPM, ""},
		"oracle9":        {"ol", sbom.TypeRPM, ""},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		var got sbom.OS
		parseOSRelease(b, &got)
		if got.ID != want.id {
			t.Errorf("%s: ID %q, want %q", file, got.ID, want.id)
		}
		if eco := sbom.Ecosystem(want.typ, &got); eco != want.eco {
			t.Errorf("%s: ecosystem %q, want %q", file, eco, want.eco)
		}
	}
}

package sbom

import "testing"

func TestEcosystem(t *testing.T) {
	for _, c := range []struct {
		typ  string
		os   *OS
		want string
	}{
		{TypeAPK, &OS{ID: "alpine", Version: "3.20.3"}, "Alpine:v3.20"},
		{TypeDeb, &OS{ID: "debian", Version: "12.15"}, "Debian:12"},
		{TypeDeb, &OS{ID: "ubuntu", Version: "22.04"}, "Ubuntu:22.04:LTS"},
		{TypeDeb, &OS{ID: "ubuntu", Version: "23.10"}, "Ubuntu:23.10"},
		{TypeRPM, &OS{ID: "rocky", Version: "9.4"}, "Rocky Linux:9"},
		{TypeRPM, &OS{ID: "almalinux", Version: "8.10"}, "AlmaLinux:8"},
		{TypeRPM, &OS{ID: "sles", Version: "15.5"}, "SUSE:Linux Enterprise Server 15 SP5"},
		{TypeRPM, &OS{ID: "opensuse-leap", Version: "15.6"}, "openSUSE:Leap 15.6"},
		{TypeRPM, &OS{ID: "rhel", Version: "9.4"}, "Red Hat:enterprise_linux:9"},
		{TypeAPK, nil, ""},
		{TypeGoModule, nil, "Go"},
		{TypePyPI, &OS{ID: "debian"}, "PyPI"},
	} {
		if got := Ecosystem(c.typ, c.os); got != c.want {
			t.Errorf("Ecosystem(%s, %+v) = %q, want %q", c.typ, c.os, got, c.want)
		}
	}
}

func TestPURL(t *testing.T) {
	os := &OS{ID: "debian", Version: "12"}
	for _, c := range []struct {
		p    Package
		want string
	}{
		{Package{Type: TypeDeb, Name: "bash", Version: "5.2.15-2+b13", Arch: "amd64", SourceName: "bash"}, "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12"},
		{Package{Type: TypeDeb, Name: "libssl3", Version: "3.0.15-1", SourceName: "openssl"}, "pkg:deb/debian/libssl3@3.0.15-1?distro=debian-12&upstream=openssl"},
		{Package{Type: TypeNPM, Name: "@babel/core", Version: "7.24.0"}, "pkg:npm/%40babel/core@7.24.0"},
		{Package{Type: TypeGoModule, Name: "github.com/gin-gonic/gin", Version: "v1.7.0"}, "pkg:golang/github.com/gin-gonic/gin@v1.7.0"},
		{Package{Type: TypePyPI, Name: "PyYAML", Version: "6.0"}, "pkg:pypi/pyyaml@6.0"},
		{Package{Type: TypeMaven, Name: "org.yaml:snakeyaml", Version: "1.33"}, "pkg:maven/org.yaml/snakeyaml@1.33"},
	} {
		if got := PURL(c.p, os); got != c.want {
			t.Errorf("PURL(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
}

package sbom

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// Ecosystem returns the OSV ecosystem name of a package of type typ on
// os (nil for none): "Alpine:v3.20", "Debian:12", "Ubuntu:22.04:LTS",
// "Go", "npm" ... It returns "" when the OS is needed and unknown.
func Ecosystem(typ string, os *OS) string {
	switch typ {
	case TypeGoModule:
		return "Go"
	case TypeNPM:
		return "npm"
	case TypePyPI:
		return "PyPI"
	case TypeMaven:
		return "Maven"
	case TypeGem:
		return "RubyGems"
	case TypeCargo:
		return "crates.io"
	case TypeComposer:
		return "Packagist"
	case TypeNuGet:
		return "NuGet"
	}
	if os == nil {
		return ""
	}
	switch {
	case typ == TypeAPK && os.ID == "wolfi":
		// Wolfi is a rolling distribution: one ecosystem, no release.
		return "Wolfi"
	case typ == TypeAPK && os.ID == "chainguard":
		return "Chainguard"
	case typ == TypeAPK && os.ID == "alpine":
		return "Alpine:v" + majorMinor(os.Version)
	case typ == TypeDeb && os.ID == "debian":
		major, _, _ := strings.Cut(os.Version, ".")
		return "Debian:" + major
	case typ == TypeRPM:
		return rpmEcosystem(os)
	case typ == TypeDeb && os.ID == "ubuntu":
		v := majorMinor(os.Version)
		if strings.HasSuffix(v, ".04") && len(v) == 5 && (v[0]-'0')%2 == 0 {
			return "Ubuntu:" + v + ":LTS"
		}
		return "Ubuntu:" + v
	}
	return ""
}

// rpmEcosystem names the OSV ecosystem of an rpm distribution release.
// Red Hat publishes per product stream ("Red Hat:enterprise_linux:9::
// appstream"), which the rpm database does not record: RHEL and UBI get
// the release's name without the stream, under which the database builder
// files every stream of that release. Distributions OSV has no ecosystem
// for (Amazon Linux, Fedora, CentOS Stream, Oracle Linux) get "": their
// packages are listed and reported as not matched.
func rpmEcosystem(os *OS) string {
	major, minor, _ := strings.Cut(os.Version, ".")
	switch os.ID {
	case "rhel":
		return "Red Hat:enterprise_linux:" + major
	case "mariner", "azurelinux":
		// CBL-Mariner became Azure Linux; OSV files both under one name,
		// by major release ("Azure Linux:2" is Mariner 2.0).
		return "Azure Linux:" + major
	case "rocky":
		return "Rocky Linux:" + major
	case "almalinux":
		return "AlmaLinux:" + major
	case "opensuse-leap":
		return "openSUSE:Leap " + os.Version
	case "opensuse-tumbleweed":
		return "openSUSE:Tumbleweed"
	case "sles", "sle-micro":
		if minor != "" && minor != "0" {
			return "SUSE:Linux Enterprise Server " + major + " SP" + minor
		}
		return "SUSE:Linux Enterprise Server " + major
	case "mageia":
		return "Mageia:" + os.Version
	case "photon":
		return "Photon OS:" + os.Version
	}
	return ""
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

// PURL returns the package URL of p (https://github.com/package-url/purl-spec).
func PURL(p Package, os *OS) string {
	var q packageurl.Qualifiers
	add := func(k, v string) {
		if v != "" {
			q = append(q, packageurl.Qualifier{Key: k, Value: v})
		}
	}
	var typ, ns, name = "", "", p.Name
	switch p.Type {
	case TypeAPK, TypeDeb, TypeRPM:
		typ = p.Type
		if os != nil {
			ns = os.ID
			add("arch", p.Arch)
			add("distro", os.ID+"-"+os.Version)
		} else {
			add("arch", p.Arch)
		}
		if p.SourceName != "" && p.SourceName != p.Name {
			add("upstream", p.SourceName)
		}
	case TypeGoModule:
		typ = packageurl.TypeGolang
		if i := strings.LastIndex(p.Name, "/"); i > 0 {
			ns, name = p.Name[:i], p.Name[i+1:]
		}
	case TypeNPM:
		typ = packageurl.TypeNPM
		if strings.HasPrefix(p.Name, "@") {
			if i := strings.Index(p.Name, "/"); i > 0 {
				ns, name = p.Name[:i], p.Name[i+1:]
			}
		}
	case TypePyPI:
		typ = packageurl.TypePyPi
		name = strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(p.Name))
	case TypeMaven:
		typ = packageurl.TypeMaven
		if g, a, ok := strings.Cut(p.Name, ":"); ok {
			ns, name = g, a
		}
	case TypeGem:
		typ = packageurl.TypeGem
	case TypeCargo:
		typ = packageurl.TypeCargo
	case TypeComposer:
		typ = packageurl.TypeComposer
		if v, n, ok := strings.Cut(p.Name, "/"); ok {
			ns, name = v, n
		}
	case TypeNuGet:
		typ = packageurl.TypeNuget
	default:
		return ""
	}
	return packageurl.NewPackageURL(typ, ns, name, p.Version, q, "").ToString()
}

// Finish sets each package's ecosystem and PURL from its type and the OS,
// and sorts the inventory.
func (inv *Inventory) Finish() {
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if p.Ecosystem == "" {
			p.Ecosystem = Ecosystem(p.Type, inv.OS)
		}
		if p.PURL == "" {
			p.PURL = PURL(*p, inv.OS)
		}
	}
	inv.Sort()
}

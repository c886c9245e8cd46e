// Package java catalogs Java archives (.jar, .war, .ear and their kin,
// nested archives included) from the Maven metadata packed into them
// (META-INF/maven/**/pom.properties), falling back to the manifest and then
// the file name; and in source trees Gradle lockfiles and pom.xml's direct
// dependencies.
package java

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "java"

// Limits against zip bombs and pathological nesting.
const (
	maxDepth      = 4
	maxNestedSize = 64 << 20 // one nested archive read into memory
	maxEntryRead  = 1 << 20  // one properties or manifest file
	// maxTotalNested bounds all bytes decompressed from one archive, nested
	// archives and properties files alike: entries can share one
	// compressed record, so a small jar can name gigabytes.
	maxTotalNested = 256 << 20
)

var archiveExts = []string{".jar", ".war", ".ear", ".par", ".sar", ".jpi", ".hpi", ".kar", ".rar"}

type cataloger struct{}

// New returns the Java cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 2 }

func isArchive(p string) bool {
	lp := strings.ToLower(p)
	for _, e := range archiveExts {
		if strings.HasSuffix(lp, e) {
			return true
		}
	}
	return false
}

func (cataloger) Wants(p string, size int64, mode fs.FileMode) bool {
	if !mode.IsRegular() || size == 0 {
		return false
	}
	switch path.Base(p) {
	case "gradle.lockfile":
		return true
	case "pom.xml":
		// Source trees only: jars carry theirs under META-INF/maven.
		return !strings.Contains(p, "META-INF/")
	}
	return isArchive(p)
}

func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	switch path.Base(f.Path) {
	case "gradle.lockfile":
		return gradleLock(f)
	case "pom.xml":
		return parsePOM(f)
	}
	budget := int64(maxTotalNested)
	return archive(f.Path, f.Content, 0, &budget)
}

// archive reads one archive and the archives nested in it. Packages from a
// nested archive are located at "outer.jar!inner.jar".
func archive(loc string, content []byte, depth int, budget *int64) ([]sbom.Package, error) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %w", err)
	}
	var out []sbom.Package
	var skipped catalog.Skipped
	var manifest []byte
	found := false
	for _, zf := range zr.File {
		if *budget <= 0 {
			skipped.Add(0, loc, fmt.Errorf("stopped reading: the %d bytes an archive may decompress are spent", maxTotalNested))
			break
		}
		name := zf.Name
		switch {
		case path.Base(name) == "pom.properties" && !zf.FileInfo().IsDir():
			// Anywhere in the archive: shaded and repackaged jars keep the
			// pom.properties of what they bundle outside META-INF/maven.
			b, err := readEntry(zf, min(maxEntryRead, *budget))
			if err != nil {
				skipped.Add(0, loc+"!"+name, err)
				continue
			}
			*budget -= int64(len(b))
			if p, ok := pomProperties(b); ok {
				p.Locations = []sbom.Location{{Path: loc}}
				out = append(out, p)
				found = true
			}
		case name == "META-INF/MANIFEST.MF":
			manifest, _ = readEntry(zf, min(maxEntryRead, *budget))
			*budget -= int64(len(manifest))
		case depth < maxDepth && isArchive(name) && !zf.FileInfo().IsDir():
			size := int64(zf.UncompressedSize64)
			if size > maxNestedSize || size > *budget {
				skipped.Add(0, loc+"!"+name, fmt.Errorf("%d bytes is over what is left of the archive's %d-byte budget", size, maxTotalNested))
				continue
			}
			b, err := readEntry(zf, size)
			if err != nil {
				continue
			}
			*budget -= int64(len(b))
			inner, err := archive(loc+"!"+name, b, depth+1, budget)
			out = append(out, inner...)
			var s catalog.SkippedError
			if errors.As(err, &s) {
				skipped = append(skipped, s...)
			}
		}
	}
	if !found {
		if p, ok := fromManifest(manifest, loc); ok {
			out = append(out, p)
		}
	}
	return out, skipped.Err()
}

// readEntry reads a zip entry, failing when it holds more than limit bytes
// (the size in the directory can lie).
func readEntry(zf *zip.File, limit int64) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", zf.Name, limit)
	}
	return b, nil
}

func properties(b []byte) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' || l[0] == '!' {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			k, v, ok = strings.Cut(l, ":")
		}
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

func pomProperties(b []byte) (sbom.Package, bool) {
	m := properties(b)
	g, a, v := m["groupId"], m["artifactId"], m["version"]
	if g == "" || a == "" || v == "" {
		return sbom.Package{}, false
	}
	return sbom.Package{Name: g + ":" + a, Version: v, Type: sbom.TypeMaven}, true
}

// fileVersion splits "commons-lang3-3.12.0.jar" into name and version.
var fileVersion = regexp.MustCompile(`^(.+?)-(\d[\w.\-]*)$`)

// fromManifest reads MANIFEST.MF for archives built without Maven
// metadata, and falls back to the file name.
// artifactID matches what could be a Maven artifact id.
var artifactID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func fromManifest(mf []byte, loc string) (sbom.Package, bool) {
	attrs := map[string]string{}
	if mf != nil {
		// Manifest lines are wrapped at 72 bytes; a leading space continues.
		// Only the main section describes the archive: the per-entry
		// sections after the first blank line (Name: ...) describe packages
		// inside it and carry their own versions (javax.websocket 1.1 in
		// Tomcat's websocket jar).
		var last string
		for _, l := range strings.Split(strings.ReplaceAll(string(mf), "\r\n", "\n"), "\n") {
			if strings.TrimSpace(l) == "" {
				break
			}
			if strings.HasPrefix(l, " ") && last != "" {
				attrs[last] += strings.TrimPrefix(l, " ")
				continue
			}
			k, v, ok := strings.Cut(l, ":")
			if ok {
				last = strings.TrimSpace(k)
				attrs[last] = strings.TrimSpace(v)
			}
		}
	}
	base := path.Base(loc[strings.LastIndex(loc, "!")+1:])
	base = strings.TrimSuffix(base, path.Ext(base))
	name, version := "", ""
	if m := fileVersion.FindStringSubmatch(base); m != nil {
		name, version = m[1], m[2]
	}
	if v := attrs["Implementation-Version"]; v != "" {
		version = v
	} else if v := attrs["Bundle-Version"]; v != "" && version == "" {
		version = v
	}
	group := attrs["Implementation-Vendor-Id"]
	if name == "" {
		// Advisories name an artifact id, so the first title that could
		// be one ("tomcat-embed-websocket", not "Apache Tomcat") wins;
		// a prose title is the last resort.
		for _, k := range []string{"Implementation-Title", "Specification-Title", "Bundle-Name"} {
			if v := attrs[k]; name == "" && artifactID.MatchString(v) {
				name = v
			}
		}
		if name == "" {
			name = attrs["Implementation-Title"]
		}
		if name == "" {
			name = attrs["Specification-Title"]
		}
		// A name from the manifest takes its group from the OSGi symbolic
		// name, less its last part ("org.springframework.core" ->
		// "org.springframework"), as Trivy does.
		if sn, _, _ := strings.Cut(attrs["Bundle-SymbolicName"], ";"); group == "" && strings.Contains(sn, ".") {
			group = sn[:strings.LastIndex(sn, ".")]
		}
	}
	if version == "" {
		version = attrs["Specification-Version"]
	}
	if name == "" || version == "" {
		return sbom.Package{}, false
	}
	if group != "" {
		name = group + ":" + name
	}
	return sbom.Package{Name: name, Version: version, Type: sbom.TypeMaven, Locations: []sbom.Location{{Path: loc}}}, true
}

// gradleLock reads gradle.lockfile: "group:artifact:version=configurations".
func gradleLock(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "empty=") {
			continue
		}
		coord, _, _ := strings.Cut(l, "=")
		parts := strings.Split(coord, ":")
		if len(parts) != 3 {
			continue
		}
		out = append(out, sbom.Package{Name: parts[0] + ":" + parts[1], Version: parts[2], Type: sbom.TypeMaven, Locations: []sbom.Location{{Path: f.Path}}})
	}
	return out, sc.Err()
}

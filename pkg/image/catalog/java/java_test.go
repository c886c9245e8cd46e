package java

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/google/go-cmp/cmp"
)

func jar(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	zw.Close()
	return b.Bytes()
}

func describe(ps []sbom.Package) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name+"@"+p.Version+" "+p.Locations[0].Path)
	}
	return out
}

func TestArchives(t *testing.T) {
	inner := jar(t, map[string][]byte{"META-INF/maven/org.yaml/snakeyaml/pom.properties": []byte("groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n")})
	manifestOnly := jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte("Manifest-Version: 1.0\r\nImplementation-Title: legacy\r\nImplementation-Version: 2.1\r\nImplementation-Vendor-Id: com.example\r\n")})
	app := jar(t, map[string][]byte{
		"META-INF/maven/com.acme/app/pom.properties": []byte("#Generated\nversion=1.0.0\ngroupId=com.acme\nartifactId=app\n"),
		"BOOT-INF/lib/snakeyaml-1.33.jar":            inner,
		"BOOT-INF/lib/legacy.jar":                    manifestOnly,
		"BOOT-INF/lib/commons-io-2.11.0.jar":         jar(t, map[string][]byte{"a.class": nil}),
	})
	got, err := New().Catalog(&catalog.File{Path: "/opt/app.jar", Content: app})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"com.acme:app@1.0.0 /opt/app.jar",
		"commons-io@2.11.0 /opt/app.jar!BOOT-INF/lib/commons-io-2.11.0.jar",
		"com.example:legacy@2.1 /opt/app.jar!BOOT-INF/lib/legacy.jar",
		"org.yaml:snakeyaml@1.33 /opt/app.jar!BOOT-INF/lib/snakeyaml-1.33.jar",
	}
	g := describe(got)
	if d := cmp.Diff(sortStrings(want), sortStrings(g)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := New().Catalog(&catalog.File{Path: "x.jar", Content: []byte("not a zip")}); err == nil {
		t.Error("not a zip: no error")
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestGradleLock(t *testing.T) {
	src := "# This is a Gradle generated file\ncom.google.guava:guava:32.1.3-jre=compileClasspath,runtimeClasspath\nempty=annotationProcessor\n"
	got, err := New().Catalog(&catalog.File{Path: "gradle.lockfile", Content: []byte(src)})
	if err != nil || len(got) != 1 || got[0].Name != "com.google.guava:guava" || got[0].Version != "32.1.3-jre" {
		t.Errorf("%+v %v", got, err)
	}
}

func TestPOM(t *testing.T) {
	src := `<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>com.acme</groupId><artifactId>app</artifactId><version>1.2.0</version>
  <properties><jackson.version>2.15.2</jackson.version><spring.version>${boot}</spring.version></properties>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.version}</version></dependency>
    <dependency><groupId>${project.groupId}</groupId><artifactId>lib</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId><version>${spring.version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>x</groupId><artifactId>ranged</artifactId><version>[1.0,2.0)</version></dependency>
  </dependencies>
</project>`
	got, err := New().Catalog(&catalog.File{Path: "app/pom.xml", Content: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.Name+"@"+p.Version)
	}
	// The project itself first, as Root (first-party, not matched).
	if d := cmp.Diff([]string{"com.acme:app@1.2.0", "com.fasterxml.jackson.core:jackson-databind@2.15.2", "com.acme:lib@1.2.0"}, names); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if New().Wants("x.jar!META-INF/maven/a/b/pom.xml", 10, 0o644) || !New().Wants("src/pom.xml", 10, 0o644) {
		t.Error("Wants pom.xml")
	}
	if _, err := New().Catalog(&catalog.File{Path: "pom.xml", Content: []byte("<project")}); err == nil {
		t.Error("broken pom: no error")
	}
}

func FuzzArchive(f *testing.F) {
	t := &testing.T{}
	f.Add(jar(t, map[string][]byte{"META-INF/maven/a/b/pom.properties": []byte("groupId=a\nartifactId=b\nversion=1\n"), "lib/x.jar": jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte("Implementation-Version: 1\n")})}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New().Catalog(&catalog.File{Path: "x.jar", Content: b})
	})
}

// TestManifestMainSection: only the manifest's main section describes the
// archive (per-entry sections carry the versions of packages inside it),
// and pom.properties counts wherever a repackaged jar keeps it.
func TestManifestMainSection(t *testing.T) {
	mf := "Manifest-Version: 1.0\r\nBundle-Name: tomcat-embed-websocket\r\nImplementation-Version: 9.0.65\r\n\r\nName: javax/websocket/\r\nImplementation-Version: 1.1.FR\r\n"
	b := jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte(mf)})
	got, err := New().Catalog(&catalog.File{Path: "app/tomcat-embed-websocket-9.0.65.jar", Content: b})
	if err != nil || len(got) != 1 || got[0].Name != "tomcat-embed-websocket" || got[0].Version != "9.0.65" {
		t.Errorf("main section: %+v %v", got, err)
	}
	spring := "Manifest-Version: 1.0\nImplementation-Title: Spring Framework\nImplementation-Version: 2.5.6.SEC03\nBundle-SymbolicName: org.springframework.core\n"
	b = jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte(spring), "bar/foo/pom.properties": []byte("groupId=g\nartifactId=inner\nversion=1.0\n")})
	got, err = New().Catalog(&catalog.File{Path: "app/test.jar", Content: b})
	if err != nil || len(got) != 1 || got[0].Name != "g:inner" {
		t.Errorf("pom.properties outside META-INF/maven: %+v %v", got, err)
	}
	b = jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte(spring)})
	got, _ = New().Catalog(&catalog.File{Path: "app/test.jar", Content: b})
	if len(got) != 1 || got[0].Name != "org.springframework:Spring Framework" || got[0].Version != "2.5.6.SEC03" {
		t.Errorf("group from the symbolic name: %+v", got)
	}
}

// FuzzKeepsRest: one bad member (a nested archive, pom.properties or
// manifest of any content) added to a valid archive keeps every package
// the archive held.
func FuzzKeepsRest(f *testing.F) {
	f.Add([]byte("not a zip"), uint8(0))
	f.Add([]byte("groupId=\nversion"), uint8(1))
	f.Add([]byte("PK\x03\x04garbage"), uint8(2))
	f.Add([]byte("Manifest-Version: 1.0\nImplementation-Version: 2\n"), uint8(3))
	f.Fuzz(func(t *testing.T, bad []byte, kind uint8) {
		names := []string{"lib/bad.jar", "META-INF/maven/bad/bad/pom.properties", "WEB-INF/lib/bad.war", "x/pom.properties"}
		files := map[string][]byte{
			"META-INF/maven/a/b/pom.properties": []byte("groupId=a\nartifactId=b\nversion=1\n"),
			"lib/c.jar":                         jar(t, map[string][]byte{"META-INF/maven/c/d/pom.properties": []byte("groupId=c\nartifactId=d\nversion=2\n")}),
			"WEB-INF/lib/e-3.0.jar":             jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte("Manifest-Version: 1.0\nImplementation-Version: 3.0\n")}),
		}
		want, _ := New().Catalog(&catalog.File{Path: "app/x.war", Content: jar(t, files)})
		if len(want) != 3 {
			t.Fatalf("the valid archive: %v", describe(want))
		}
		files[names[int(kind)%len(names)]] = bad
		got, _ := New().Catalog(&catalog.File{Path: "app/x.war", Content: jar(t, files)})
		have := map[string]bool{}
		for _, p := range got {
			have[p.Name+"@"+p.Version] = true
		}
		for _, p := range want {
			if !have[p.Name+"@"+p.Version] {
				t.Fatalf("%s lost when %s held %q: %v", p.Name, names[int(kind)%len(names)], bad, describe(got))
			}
		}
	})
}

// TestDecompressionBudget: entries that decompress to more than the
// archive's budget (many pom.properties of zeros, as entries sharing one
// compressed record would) stop the reading with one skipped entry; what
// was read before stays.
func TestDecompressionBudget(t *testing.T) {
	files := map[string][]byte{"META-INF/maven/a/b/pom.properties": []byte("groupId=a\nartifactId=b\nversion=1\n")}
	zeros := make([]byte, 64<<10)
	for i := range 200 {
		files[fmt.Sprintf("x/%03d/pom.properties", i)] = zeros
	}
	budget := int64(1 << 20)
	_, err := archive("app/x.jar", jar(t, files), 0, &budget)
	var s catalog.SkippedError
	if !errors.As(err, &s) || len(s) > 2 {
		t.Errorf("err %v, want one skipped entry for the spent budget", err)
	}
	if budget > 0 {
		t.Errorf("budget left %d", budget)
	}
}

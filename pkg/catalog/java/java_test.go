package java

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/catalog"
	"github.com/bulwarksec/bulwark/pkg/sbom"
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

func FuzzArchive(f *testing.F) {
	t := &testing.T{}
	f.Add(jar(t, map[string][]byte{"META-INF/maven/a/b/pom.properties": []byte("groupId=a\nartifactId=b\nversion=1\n"), "lib/x.jar": jar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte("Implementation-Version: 1\n")})}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New().Catalog(&catalog.File{Path: "x.jar", Content: b})
	})
}

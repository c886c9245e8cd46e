package sbom

import "time"

// Sample returns a small inventory with every kind of package and tricky
// values (licence expressions, free-text licences, duplicates), for the
// writers' tests.
func Sample() (*Inventory, Meta) {
	inv := &Inventory{
		OS: &OS{ID: "alpine", Version: "3.20.3", Name: "Alpine Linux v3.20", Libc: "musl"},
		Packages: []Package{
			{Name: "busybox", Version: "1.36.1-r29", Type: TypeAPK, Licenses: []string{"GPL-2.0-only"}, Locations: []Location{{Layer: "sha256:aaa", Path: "/lib/apk/db/installed"}}},
			{Name: "ssl_client", Version: "1.36.1-r29", Type: TypeAPK, SourceName: "busybox", SourceVersion: "1.36.1-r29", Licenses: []string{"GPL-2.0-only AND MIT"}, Locations: []Location{{Layer: "sha256:aaa", Path: "/lib/apk/db/installed"}}},
			{Name: "github.com/gin-gonic/gin", Version: "v1.7.0", Type: TypeGoModule, Locations: []Location{{Layer: "sha256:bbb", Path: "/usr/local/bin/app"}}},
			{Name: "@scope/pkg", Version: "2.0.0", Type: TypeNPM, Licenses: []string{"MIT", "Apache-2.0"}, Locations: []Location{{Path: "/app/node_modules/@scope/pkg/package.json"}}},
			{Name: "requests", Version: "2.28.1", Type: TypePyPI, Licenses: []string{"Apache 2.0"}, Locations: []Location{{Path: "/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO"}}},
			{Name: "lodash", Version: "4.17.15", Type: TypeNPM, Locations: []Location{{Path: "/a/node_modules/lodash/package.json"}}},
			{Name: "lodash", Version: "4.17.15", Type: TypeNPM, Locations: []Location{{Path: "/b/node_modules/lodash/package.json"}}},
		},
	}
	inv.Finish()
	return inv, Meta{Name: "example.local/app:1.0", Digest: "sha256:36cb2ccf94fc05d83db32c42c8b57d7247cd0919d768c589c429258b1b03ee46", Kind: "image",
		ToolName: "bulwark", ToolVersion: "test", Created: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), ID: "00000000-0000-4000-8000-000000000000"}
}

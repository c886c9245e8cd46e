// Package version says which Bulwark this is.
package version

import "runtime/debug"

// Version is set at build time with
// -ldflags "-X github.com/bulwarksec/bulwark/internal/version.Version=v1.2.3";
// otherwise it comes from the module's build info, or "dev".
var Version = ""

// Commit is the VCS revision, where the build recorded one.
var Commit = ""

// String returns the version, filling in from build info when not set.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Revision returns the VCS revision, or "".
func Revision() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}

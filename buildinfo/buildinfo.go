// Package buildinfo says which otpd is running: the module version, the
// commit it was built from and the Go that built it, all read from what
// the Go toolchain records in every binary (runtime/debug.ReadBuildInfo).
// Nothing is set with -ldflags, so "go build", "go install" and the
// release script give the same answers from the same commit.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Info is what a build knows about itself. Fields the build did not
// record are empty (Version is then "devel").
type Info struct {
	// Version is the module version: a tag such as v1.2.0 when built with
	// "go install ...@v1.2.0" or from a tagged clone, a pseudo-version
	// (v0.0.0-20260102150405-abcdef123456) otherwise, with "+dirty" when
	// the tree had changes; "devel" when none was recorded (go test, go
	// run).
	Version string
	// Revision and Time are the commit (vcs.revision) and its time
	// (vcs.time, RFC 3339); Modified is vcs.modified, changes on top of
	// it.
	Revision string
	Time     string
	Modified bool
	// GoVersion is the toolchain that built the binary, such as go1.26.8.
	GoVersion string
}

// Read returns the running binary's Info.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "devel", GoVersion: runtime.Version()}
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo returns the Info that bi records.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	i := Info{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if i.Version == "" || i.Version == "(devel)" {
		i.Version = "devel"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// ShortRevision is the first 12 characters of Revision, as git shows it.
func (i Info) ShortRevision() string {
	if len(i.Revision) > 12 {
		return i.Revision[:12]
	}
	return i.Revision
}

// String is one line for people: "otpd v1.2.0 (abcdef123456, 2026-01-02T15:04:05Z) go1.26.8",
// with ", modified" when the tree had changes.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "otpd %s", i.Version)
	var vcs []string
	if i.Revision != "" {
		vcs = append(vcs, i.ShortRevision())
	}
	if i.Time != "" {
		vcs = append(vcs, i.Time)
	}
	if i.Modified {
		vcs = append(vcs, "modified")
	}
	if len(vcs) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(vcs, ", "))
	}
	if i.GoVersion != "" {
		fmt.Fprintf(&b, " %s", i.GoVersion)
	}
	return b.String()
}

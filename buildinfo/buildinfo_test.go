package buildinfo_test

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/otpd/otpd/buildinfo"
)

func TestFromBuildInfo(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want buildinfo.Info
		line string
	}{
		{
			name: "go test or go run records no version",
			bi:   debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/otpd/otpd", Version: "(devel)"}},
			want: buildinfo.Info{Version: "devel", GoVersion: "go1.26.8"},
			line: "otpd devel go1.26.8",
		},
		{
			name: "a tagged build from a clean clone",
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
				{Key: "-trimpath", Value: "true"},
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: rev},
				{Key: "vcs.time", Value: "2026-01-02T15:04:05Z"},
				{Key: "vcs.modified", Value: "false"},
			}},
			want: buildinfo.Info{Version: "v1.2.0", Revision: rev, Time: "2026-01-02T15:04:05Z", GoVersion: "go1.26.8"},
			line: "otpd v1.2.0 (0123456789ab, 2026-01-02T15:04:05Z) go1.26.8",
		},
		{
			name: "a build with changes on top of the commit",
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260102150405-0123456789ab+dirty"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: rev},
				{Key: "vcs.modified", Value: "true"},
			}},
			want: buildinfo.Info{Version: "v0.0.0-20260102150405-0123456789ab+dirty", Revision: rev, Modified: true, GoVersion: "go1.26.8"},
			line: "otpd v0.0.0-20260102150405-0123456789ab+dirty (0123456789ab, modified) go1.26.8",
		},
		{
			name: "nothing recorded",
			want: buildinfo.Info{Version: "devel"},
			line: "otpd devel",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildinfo.FromBuildInfo(&tt.bi)
			if got != tt.want {
				t.Errorf("FromBuildInfo = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.line {
				t.Errorf("String() = %q, want %q", s, tt.line)
			}
		})
	}
}

func TestReadKnowsItsGo(t *testing.T) {
	if got := buildinfo.Read(); got.GoVersion != runtime.Version() || got.Version == "" {
		t.Errorf("Read() = %+v, want GoVersion %s and some Version", got, runtime.Version())
	}
}

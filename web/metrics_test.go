package web_test

import (
	"io"
	"net/http"
	"regexp"
	"runtime"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// The build info is one gauge with the version, commit and Go version as
// labels, in the format of the other metrics.
func TestMetricsNameTheBuild(t *testing.T) {
	r := webtest.New(t)
	resp, err := http.Get(r.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^# HELP otpd_build_info .+$`),
		regexp.MustCompile(`(?m)^# TYPE otpd_build_info gauge$`),
		regexp.MustCompile(`(?m)^otpd_build_info\{version="[^"]+",revision="[^"]*",goversion="` + regexp.QuoteMeta(runtime.Version()) + `"\} 1$`),
	} {
		if !want.Match(body) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
}

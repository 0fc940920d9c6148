package pages_test

import (
	"testing"

	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/pages"
)

// A step-up leads back with a GET, so every page it may return to must
// be one; a typo in stepUpReturns would strand the person on a 404.
func TestStepUpReturnsAreGetPages(t *testing.T) {
	routes := map[string]bool{}
	for _, p := range web.New(web.Options{}).Patterns() {
		routes[p] = true
	}
	for _, ret := range pages.StepUpReturns {
		if ret != "/" && !routes["GET "+ret] {
			t.Errorf("step-up return %s is not a GET page", ret)
		}
	}
}

package edge

// ContentSecurityPolicy allows our own stylesheet and nothing else: no
// script at all, no inline style, no framing, forms posting only to us.
// A page whose form, once done, redirects to formOrigin (an origin of
// Returns, or the redirect URI of the app a person is signing in to)
// allows that origin too, and only it: browsers apply form-action to
// every redirect a form's post leads through. imgOrigin, when set, is
// where the logo of that app comes from.
func ContentSecurityPolicy(formOrigin, imgOrigin string) string {
	formAction, imgSrc := "'self'", "'self'"
	if formOrigin != "" {
		formAction += " " + formOrigin
	}
	if imgOrigin != "" {
		imgSrc += " " + imgOrigin
	}
	return "default-src 'none'; style-src 'self'; img-src " + imgSrc + "; " +
		"form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
}

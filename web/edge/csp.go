package edge

// ContentSecurityPolicy allows our own stylesheet and nothing else: no
// script at all, no inline style, no framing, forms posting only to us.
// A page whose form, once signed in, redirects to returnOrigin (an origin
// of Returns) allows that origin too, and only it: browsers apply
// form-action to every redirect a form's post leads through.
func ContentSecurityPolicy(returnOrigin string) string {
	formAction := "'self'"
	if returnOrigin != "" {
		formAction += " " + returnOrigin
	}
	return "default-src 'none'; style-src 'self'; img-src 'self'; " +
		"form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
}

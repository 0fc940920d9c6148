package mail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/otpd/otpd"
)

// Render turns a composed email into the raw RFC 5322 message that is
// signed and sent: multipart/alternative with a text/plain and a text/html
// part, both UTF-8 and quoted-printable, and the headers From, To,
// Subject (RFC 2047 encoded when not ASCII), Date, Message-ID (as given,
// angle brackets included) and MIME-Version. Lines end in CRLF.
//
// The MIME writing is go-mail's, the library that also signs (package
// dkim), so one well-tested implementation builds and signs the message.
//
// A header value holding CR, LF or NUL is refused, and nothing is
// produced: such a value could smuggle in headers (a Bcc, a second From),
// and encoding it away would hide a bug upstream. Render is safe for
// concurrent use.
func Render(e otpd.Email) ([]byte, error) {
	if err := checkHeaders(e); err != nil {
		return nil, fmt.Errorf("mail: render %s: %w", e.MessageID, err)
	}
	// No default User-Agent: it would tell every recipient which library
	// and version the server runs.
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithCharset(gomail.CharsetUTF8))
	if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("mail: render %s: From %q: %w", e.MessageID, e.From, err)
	}
	if err := m.To(e.To.String()); err != nil {
		return nil, fmt.Errorf("mail: render %s: To: %w", e.MessageID, err)
	}
	m.Subject(e.Subject)
	m.SetDateWithValue(e.Date)
	// SetMessageIDWithValue would add a second pair of angle brackets.
	m.SetGenHeader(gomail.HeaderMessageID, e.MessageID)
	if e.Ref != "" {
		m.SetGenHeader(otpd.RefHeader, e.Ref)
	}
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)

	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("mail: render %s: %w", e.MessageID, err)
	}
	return buf.Bytes(), nil
}

// checkHeaders refuses what cannot become a header safely, naming the field.
func checkHeaders(e otpd.Email) error {
	fields := []struct{ name, value string }{
		{"From", e.From},
		{"Subject", e.Subject},
		{"Message-ID", e.MessageID},
		{otpd.RefHeader, e.Ref},
	}
	for _, f := range fields {
		if strings.ContainsAny(f.value, "\r\n\x00") {
			return fmt.Errorf("%s contains a line break or NUL, which could inject headers", f.name)
		}
	}
	switch {
	case e.From == "":
		return errors.New("no From")
	case e.To.IsZero():
		return errors.New("no To")
	case e.Date.IsZero():
		return errors.New("no Date")
	case !strings.HasPrefix(e.MessageID, "<") || !strings.HasSuffix(e.MessageID, ">") || !strings.Contains(e.MessageID, "@"):
		return fmt.Errorf("the Message-ID %q is not of the form <id@domain>", e.MessageID)
	}
	return nil
}

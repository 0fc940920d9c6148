package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
)

// Part is one alternative of a received message.
type Part struct {
	ContentType string
	Charset     string
	// Body has quoted-printable and base64 undone.
	Body string
}

// Parts reads a multipart/alternative message with the standard library,
// a reader independent of the writer, and returns its header and its parts
// in order. It fails when the message is not multipart/alternative.
func Parts(raw []byte) (mail.Header, []Part, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("smtptest: not an RFC 5322 message: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		return nil, nil, fmt.Errorf("smtptest: Content-Type %q, want multipart/alternative", msg.Header.Get("Content-Type"))
	}
	var parts []Part
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return msg.Header, parts, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("smtptest: read part: %w", err)
		}
		body, err := io.ReadAll(p) // NextPart undoes quoted-printable
		if err != nil {
			return nil, nil, fmt.Errorf("smtptest: read part: %w", err)
		}
		ct, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, Part{ContentType: ct, Charset: ps["charset"], Body: string(body)})
	}
}

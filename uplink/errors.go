package uplink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// Error is what Client.Verify returns with a vocab.StatusUnknown answer. It never
// holds personal data and is safe to log.
type Error struct {
	Reason     Reason
	Code       string // INE's error code for ReasonRefused / ReasonServerError
	HTTPStatus int    // 0 when no HTTP response was received
	Err        error
}

func (e *Error) Error() string {
	s := "uplink: verify: " + string(e.Reason)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s + "; " + advice[e.Reason]
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the session may start a new verification (new
// request) with the same data later: false for reasons that will not go
// away by themselves (invalid request, refusal, certificate problems).
func (e *Error) Retryable() bool {
	switch e.Reason {
	case ReasonInvalidRequest, ReasonRefused, ReasonTLS, ReasonLocal:
		return false
	}
	return true
}

var advice = map[Reason]string{
	ReasonInvalidRequest: "fix the credential data or capture before retrying",
	ReasonLocal:          "check the device key and locked-memory limits (ventanillactl doctor)",
	ReasonUnreachable:    "check the network link to INE; retry later",
	ReasonTLS:            "check the CA, client certificate and clock",
	ReasonTimeout:        "INE did not answer in time; retry later",
	ReasonCanceled:       "the session was cancelled",
	ReasonServerError:    "INE's service failed; retry later",
	ReasonRefused:        "INE refused the request; see the code, do not resend it",
	ReasonBadAnswer:      "INE's answer was unreadable; retry later and report if it persists",
	ReasonBadSignature:   "INE's answer signature did not verify; check the configured INE signing key",
	ReasonNotBound:       "the answer belonged to another request; retry later and report it",
}

func failure(r Reason, err error) *Error { return &Error{Reason: r, Err: err} }

// classifyTransport maps an http.Client error to a reason, and says
// whether resending the identical envelope is worthwhile.
func classifyTransport(parent context.Context, err error) (Reason, bool) {
	if parent.Err() != nil {
		if errors.Is(parent.Err(), context.DeadlineExceeded) {
			return ReasonTimeout, false
		}
		return ReasonCanceled, false
	}
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &ci):
		return ReasonTLS, false // the same certificate fails the same way
	case isTLSFailure(err):
		return ReasonTLS, true // handshake failed: not processed
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return ReasonTimeout, true // maybe processed: same idempotency key
	case isDialFailure(err):
		return ReasonUnreachable, true // not processed
	}
	return ReasonUnreachable, true // reset/EOF after sending: same idempotency key
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isDialFailure(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial")
}

func isTLSFailure(err error) bool {
	var rh tls.RecordHeaderError
	var ae tls.AlertError
	if errors.As(err, &rh) || errors.As(err, &ae) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "tls: ") || strings.Contains(s, "TLS handshake")
}

// answerFailure maps a Sealed.Open error to a reason.
func answerFailure(err error) *Error {
	switch {
	case errors.Is(err, ErrNotBound):
		return failure(ReasonNotBound, err)
	case errors.Is(err, ErrAnswerSignature):
		return failure(ReasonBadSignature, err)
	}
	return failure(ReasonBadAnswer, fmt.Errorf("%w", err))
}

package logging

import (
	"crypto/rand"
	"encoding/base32"
	"log/slog"
)

// SessionID names one counter session. It is random and carries nothing
// about the citizen, so it may be logged and shown to technicians.
type SessionID string

// RequestID names one verification request to INE; random, loggable.
type RequestID string

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

func randomID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return prefix + idEncoding.EncodeToString(b[:])
}

// NewSessionID returns a fresh random session id ("s_" + 16 characters).
func NewSessionID() SessionID { return SessionID(randomID("s_")) }

// NewRequestID returns a fresh random request id ("r_" + 16 characters).
func NewRequestID() RequestID { return RequestID(randomID("r_")) }

// LogValue implements slog.LogValuer.
func (id SessionID) LogValue() slog.Value { return slog.StringValue(string(id)) }

// LogValue implements slog.LogValuer.
func (id RequestID) LogValue() slog.Value { return slog.StringValue(string(id)) }

// Session returns the attribute for a session id.
func Session(id SessionID) slog.Attr { return slog.String("session", string(id)) }

// Request returns the attribute for a request id.
func Request(id RequestID) slog.Attr { return slog.String("request", string(id)) }

// Sensitive is implemented by types that hold personal data (credential
// fields, names, biometric buffers). The logging handler never prints them.
type Sensitive interface {
	// PersonalData is a marker; it is never called.
	PersonalData()
}

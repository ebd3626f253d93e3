package inesim

import (
	"fmt"
	"strings"
	"time"
)

// Fault is an injected failure mode.
type Fault string

// Fault modes.
const (
	FaultNone           Fault = ""
	FaultServerError    Fault = "5xx"             // 503 without processing
	FaultTimeout        Fault = "timeout"         // never answer; hold until the client gives up
	FaultBadSignature   Fault = "bad-signature"   // sign the answer with a throwaway key
	FaultReplayedAnswer Fault = "replayed-answer" // send the previous request's sealed answer
	FaultMalformed      Fault = "malformed"       // 200 with a body that is not an answer
)

// Faults configures injection. Every is how often the fault fires, counting
// from the first request after SetFaults: 1 means every request, 2 the 1st,
// 3rd, 5th...; 0 means never. Latency applies to every
// request independently of Mode.
type Faults struct {
	Mode    Fault
	Every   int
	Latency time.Duration
}

// ParseFault reads a fault name.
func ParseFault(s string) (Fault, error) {
	for _, f := range []Fault{FaultNone, FaultServerError, FaultTimeout, FaultBadSignature, FaultReplayedAnswer, FaultMalformed} {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("inesim: fault %q: want 5xx, timeout, bad-signature, replayed-answer or malformed", s)
}

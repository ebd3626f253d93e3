package uplink

import (
	"fmt"
	"math"

	"github.com/ventanilla-mx/ventanilla/credential"
)

// Kind is a biometric modality.
type Kind string

// Biometric kinds.
const (
	KindFace   Kind = "face"
	KindFinger Kind = "finger"
)

// Format tags the encoding of a biometric's bytes. uplink treats the bytes
// as opaque; the capture packages produce them.
type Format string

// Biometric formats.
const (
	FormatJPEG      Format = "jpeg"       // face: JPEG (ISO/IEC 10918)
	FormatWSQ       Format = "wsq"        // finger: FBI WSQ
	FormatISO197944 Format = "iso19794-4" // finger: ISO/IEC 19794-4 finger image record
)

// Limits on what a request may carry.
const (
	MaxBiometricBytes = 4 << 20 // per biometric
	MaxBiometrics     = 3       // e.g. one face and two fingers
	MaxMetaBytes      = 64 << 10
)

// Biometric is one capture. Data is owned by the caller (normally a secmem
// buffer) and is not retained by uplink after Verify returns.
type Biometric struct {
	Kind     Kind
	Position int // finger position 1-10 (ISO/IEC 19794-4 codes); 0 for face
	Format   Format
	Data     []byte
}

// Liveness is the summary of the presentation-attack checks: the decision
// and per-cue scores, never an image.
type Liveness struct {
	Decision string             `json:"decision"` // "live", "spoof" or "inconclusive"
	Method   string             `json:"method,omitempty"`
	Cues     map[string]float64 `json:"cues,omitempty"` // each in [0, 1]
}

// Liveness decisions.
const (
	LivenessLive         = "live"
	LivenessSpoof        = "spoof"
	LivenessInconclusive = "inconclusive"
)

// Request is what the session engine hands to Client.Verify.
type Request struct {
	// ID is the verification request id, minted by the session before the
	// consent and named in the consent record (so INE can check the
	// consent covers this request). A token: 1..64 bytes of
	// [A-Za-z0-9._:_-]. It is also the Idempotency-Key.
	ID         string
	Consent    ConsentProof
	Credential credential.Secret // values borrowed from the caller's locked memory
	Biometrics []Biometric
	Liveness   *Liveness // required when a face is sent
}

// Validate checks the request before anything is built. Errors never hold
// field values.
func (r *Request) Validate() error {
	if !validRequestID(r.ID) {
		return fmt.Errorf("uplink: request: the request id must be 1 to %d bytes of [A-Za-z0-9._:_-]", maxRequestID)
	}
	if err := r.Credential.Validate(); err != nil {
		return err
	}
	if err := r.Consent.wellFormed(); err != nil {
		return err
	}
	return validateBiometrics(r.Biometrics, r.Liveness, func(b Biometric) int { return len(b.Data) })
}

func validateBiometrics(bs []Biometric, lv *Liveness, size func(Biometric) int) error {
	if len(bs) == 0 || len(bs) > MaxBiometrics {
		return fmt.Errorf("uplink: request: want 1 to %d biometrics, have %d", MaxBiometrics, len(bs))
	}
	faces := 0
	for i, b := range bs {
		if err := b.validate(size(b)); err != nil {
			return fmt.Errorf("uplink: request: biometric %d: %w", i, err)
		}
		if b.Kind == KindFace {
			faces++
		}
	}
	if faces > 1 {
		return fmt.Errorf("uplink: request: at most one face")
	}
	if faces == 1 && lv == nil {
		return fmt.Errorf("uplink: request: a face needs a liveness summary")
	}
	if lv != nil {
		return lv.validate()
	}
	return nil
}

func (b Biometric) validate(n int) error {
	if n <= 0 || n > MaxBiometricBytes {
		return fmt.Errorf("size must be 1 to %d bytes", MaxBiometricBytes)
	}
	switch b.Kind {
	case KindFace:
		if b.Format != FormatJPEG || b.Position != 0 {
			return fmt.Errorf("a face must be %s with no position", FormatJPEG)
		}
	case KindFinger:
		if b.Format != FormatWSQ && b.Format != FormatISO197944 {
			return fmt.Errorf("a finger must be %s or %s", FormatWSQ, FormatISO197944)
		}
		if b.Position < 1 || b.Position > 10 {
			return fmt.Errorf("finger position must be 1-10")
		}
	default:
		return fmt.Errorf("kind must be %s or %s", KindFace, KindFinger)
	}
	return nil
}

func (l *Liveness) validate() error {
	switch l.Decision {
	case LivenessLive, LivenessSpoof, LivenessInconclusive:
	default:
		return fmt.Errorf("uplink: liveness decision must be live, spoof or inconclusive")
	}
	if len(l.Cues) > 32 || len(l.Method) > 64 {
		return fmt.Errorf("uplink: liveness summary too large")
	}
	for name, v := range l.Cues {
		if len(name) == 0 || len(name) > 32 || math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("uplink: liveness cue scores must be named and in [0, 1]")
		}
	}
	return nil
}

// String is redacted: a Request must never reach a log.
func (r Request) String() string { return "uplink.Request(redacted)" }

// GoString is redacted too.
func (r Request) GoString() string { return r.String() }

// String names the modality only, never the bytes.
func (b Biometric) String() string {
	return fmt.Sprintf("uplink.Biometric(%s %s, %d bytes)", b.Kind, b.Format, len(b.Data))
}

// GoString is redacted too.
func (b Biometric) GoString() string { return b.String() }

// maxRequestID bounds a request id (it is also an HTTP header value).
const maxRequestID = 64

// validRequestID reports whether id is a token a consent record can name.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

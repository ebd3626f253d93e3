package fingerprint

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the driver returns wraps one of these (or a
// context error), so callers branch with errors.Is. Each says whether the
// caller may simply try again.
var (
	// ErrTimeout: the module did not answer before the exchange deadline.
	// Retry is safe for reads and captures; the driver has already retried
	// idempotent commands, so a repeat usually means the link is down.
	ErrTimeout = errors.New("fingerprint: no answer before the deadline")

	// ErrChecksum: a frame arrived corrupted. The driver retries idempotent
	// commands itself; it is returned only after the retries or for a
	// command that must not be repeated blindly (SetSysPara). Retry safe
	// for reads; for settings read the parameters back first.
	ErrChecksum = errors.New("fingerprint: corrupted frame")

	// ErrProtocol: the module answered something that does not fit the
	// exchange (wrong packet type, short answer, "error receiving package").
	// Retry safe for reads.
	ErrProtocol = errors.New("fingerprint: protocol error")

	// ErrUnavailable: the device node is missing or was hung up (unplugged).
	// Not worth retrying until the device is back; Run reconnects with
	// backoff and reports StateReady when it is.
	ErrUnavailable = errors.New("fingerprint: scanner unavailable (unplugged or device node missing)")

	// ErrUnresponsive: the device node exists but nothing answered at the
	// configured or any probed baud rate. Retry is safe but pointless until
	// a technician checks power, wiring, baud and address.
	ErrUnresponsive = errors.New("fingerprint: scanner does not answer")

	// ErrNoFinger: no finger was placed before the capture timeout.
	// Retry safe: ask the citizen to place the finger again.
	ErrNoFinger = errors.New("fingerprint: no finger on the sensor")

	// ErrPoorImage: the module captured an image it considers unusable.
	// Retry safe: ask the citizen to clean, dry or re-place the finger.
	ErrPoorImage = errors.New("fingerprint: image quality too poor")

	// ErrImage: the image upload failed or came back the wrong size.
	// Retry safe: the image stays in the module's buffer until the next capture.
	ErrImage = errors.New("fingerprint: image upload failed")

	// ErrBadPassword: the module rejected the handshake password.
	// Not retryable: fix the configured password.
	ErrBadPassword = errors.New("fingerprint: module rejected the password")

	// ErrUnsupported: this module does not implement the command (an R503
	// extra on an R307, say). Not retryable.
	ErrUnsupported = errors.New("fingerprint: command not supported by this module")

	// ErrHardware: the module reports a sensor or hardware fault.
	// Not retryable: replace or service the module.
	ErrHardware = errors.New("fingerprint: module hardware fault")

	// ErrClosed: the scanner was closed. Not retryable.
	ErrClosed = errors.New("fingerprint: scanner closed")
)

// codeInfo describes one confirmation code for people.
type codeInfo struct {
	meaning string // what the module says
	action  string // what a technician should do
	is      error  // the sentinel it belongs to, if any
}

// codes are the confirmation codes of the R30x and R503 manuals.
var codes = map[byte]codeInfo{
	0x01: {"error receiving the packet", "check the cable and baud rate; retry", ErrProtocol},
	0x02: {"no finger on the sensor", "ask the citizen to place the finger", ErrNoFinger},
	0x03: {"failed to collect the finger image", "clean the sensor window; ask for a firmer, drier touch", ErrPoorImage},
	0x06: {"image too disorderly to extract features", "clean the sensor; re-place the finger", ErrPoorImage},
	0x07: {"too few feature points or image too poor", "re-place the finger flat and centred", ErrPoorImage},
	0x0E: {"module cannot receive the following data packets", "retry; check the packet size setting", ErrProtocol},
	0x0F: {"module failed to upload the image", "retry the capture", ErrImage},
	0x13: {"wrong password", "set scanner.password to the module's password", ErrBadPassword},
	0x15: {"no valid image in the image buffer", "capture again before uploading", ErrImage},
	0x18: {"error writing the module's flash", "retry once; replace the module if it persists", ErrHardware},
	0x1A: {"invalid register number", "driver bug: report it", ErrProtocol},
	0x1B: {"incorrect register configuration", "check scanner.baud and scanner.packet_size", ErrProtocol},
	0x1D: {"module failed to operate its serial port", "power-cycle the module", ErrHardware},
	0x20: {"address code incorrect", "set scanner.address to the module's address", ErrProtocol},
	0x21: {"password must be verified first", "set scanner.password; the driver verifies it on connect", ErrBadPassword},
	0x26: {"module timed out", "retry; ask the citizen to keep the finger still", ErrNoFinger},
	0x29: {"sensor hardware error", "service or replace the sensor", ErrHardware},
	0xFC: {"unsupported command", "this module model lacks the feature; none needed", ErrUnsupported},
	0xFD: {"hardware error", "power-cycle; replace the module if it persists", ErrHardware},
	0xFE: {"command execution failure", "retry; power-cycle if it persists", ErrProtocol},
}

// ConfirmationError is a non-zero confirmation code in an acknowledge packet.
// errors.Is matches it against the sentinel for its code.
type ConfirmationError struct {
	Op   string // the command, e.g. "GenImg"
	Code byte
}

func (e *ConfirmationError) Error() string {
	if info, ok := codes[e.Code]; ok {
		return fmt.Sprintf("fingerprint: %s: module code 0x%02x, %s: %s", e.Op, e.Code, info.meaning, info.action)
	}
	return fmt.Sprintf("fingerprint: %s: module code 0x%02x (undocumented): power-cycle the module; report the code if it persists", e.Op, e.Code)
}

// Is matches the sentinel that the code maps to.
func (e *ConfirmationError) Is(target error) bool {
	info, ok := codes[e.Code]
	if !ok {
		return target == ErrProtocol
	}
	return target == info.is
}

// Retryable reports whether err is worth retrying as is: a transient link
// or capture condition, not a configuration, hardware or closed scanner.
func Retryable(err error) bool {
	for _, e := range []error{ErrTimeout, ErrChecksum, ErrProtocol, ErrNoFinger, ErrPoorImage, ErrImage} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

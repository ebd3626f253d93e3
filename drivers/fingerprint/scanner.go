package fingerprint

import "context"

// Scanner is a fingerprint scanner as the kiosk uses it: check it answers,
// describe it, capture one image. Implementations serialise their methods;
// any goroutine may call them, and a call blocks until the device is free.
//
// Timeouts: every exchange on the line has a deadline (Opts.CommandTimeout
// plus the bytes' wire time), and Capture waits at most Opts.CaptureTimeout
// for a finger; ctx cancels any method early. No method blocks past the
// earlier of its deadline and ctx by more than a poll interval (~100 ms).
//
// Buffers: the image pixels come from the caller's Alloc and belong to the
// caller, who wipes them; the scanner keeps no copy.
type Scanner interface {
	// Handshake verifies the module answers and accepts the password. It
	// is the self-test: cheap (one short exchange), no side effects.
	Handshake(ctx context.Context) error

	// Info describes the connected module: model, image geometry, line
	// settings. It connects first if needed.
	Info(ctx context.Context) (Info, error)

	// Capture waits for a finger, captures it and returns the image in a
	// buffer obtained from alloc (make when alloc is nil). It returns an
	// error wrapping ErrNoFinger when no finger came before the capture
	// timeout. The returned Pix is the caller's to wipe.
	Capture(ctx context.Context, alloc Alloc) (*Image, error)

	// Halt stops any capture in progress (it returns context.Canceled) and
	// leaves the module idle with its LED off. The scanner stays usable.
	Halt() error

	// Close halts and releases the line. Afterwards every method returns
	// ErrClosed. Close is idempotent.
	Close() error
}

// Info describes a connected module.
type Info struct {
	Model       string // "R503" (from ReadProdInfo) or "R30x" when the module lacks it
	SensorModel string
	Serial      string // module serial number: a device identifier, not personal data
	HWVersion   string
	Width       int // image geometry, pixels
	Height      int
	DPI         int
	Baud        int // the rate the module answered at
	PacketSize  int // data packet payload, bytes
	Address     uint32
	LibrarySize int
	Extras      bool // R503 instructions (GetImageEx, AuraLedConfig, ReadProdInfo) work
}

var _ Scanner = (*R30x)(nil)

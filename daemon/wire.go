package daemon

import (
	"github.com/ventanilla-mx/ventanilla/capture/client"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// wireAll builds the subsystems top-down, in dependency order. Each wire
// function takes what it needs and returns what it makes, so a part cannot
// be used before it is built: reordering these lines does not compile.
// Each wire function declares its health conditions and checks, registers
// its endpoints and starts its loops (with the watchdog) through the System.
func wireAll(s *System) {
	key := wireDeviceKey(s)
	mem := wireSecmem(s)
	scanner := wireScanner(s)
	face := wireCamera(s, mem)
	l := wireConsent(s, key, mem)
	wireArchiveSync(s, l)
	up := wireUplink(s, key, mem)
	wireKiosk(s, kioskParts{mem: mem, ledger: l, uplink: up, face: face, scanner: scanner})
}

// optional is a part that may be missing. A missing part carries why (the
// condition that says so to the technician is already set), so whoever
// needs it can say what is missing without a stale message of its own.
type optional[T any] struct {
	v   T
	ok  bool
	why string
}

func some[T any](v T) optional[T] { return optional[T]{v: v, ok: true} }

func none[T any](why string) optional[T] { return optional[T]{why: why} }

// get returns the part and whether it was built.
func (o optional[T]) get() (T, bool) { return o.v, o.ok }

// reason says why the part is missing ("" when it was built).
func (o optional[T]) reason() string {
	switch {
	case o.ok:
		return ""
	case o.why == "":
		return "not configured"
	}
	return o.why
}

// kioskParts is what the session engine is built from. The zero value
// has every part missing (a simulated kiosk needs none of them).
type kioskParts struct {
	mem     *secmem.Allocator
	ledger  optional[*ledger.Ledger]
	uplink  optional[*uplink.Client]
	face    optional[*client.Client]
	scanner optional[*fingerprint.R30x]
}

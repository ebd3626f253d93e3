package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// FaultKind is one way the line or the module misbehaves.
type FaultKind int

const (
	FaultGarbage  FaultKind = iota // N random bytes before the response
	FaultChecksum                  // a response frame with a wrong checksum
	FaultDrop                      // a response frame never sent
	FaultShort                     // a response frame cut in half
	FaultDelay                     // the response sent late
)

var faultNames = [...]string{"garbage", "checksum", "drop", "short", "delay"}

func (k FaultKind) String() string { return faultNames[k] }

// Fault is a fault armed for the next response(s).
type Fault struct {
	Kind  FaultKind
	Frame int           // which frame of the response: 0 the acknowledge, 1.. the data packets
	N     int           // garbage bytes
	Delay time.Duration // delay
	Times int           // how many responses it applies to (at least 1)
}

func (f Fault) String() string {
	return fmt.Sprintf("%s frame=%d n=%d delay=%v times=%d", f.Kind, f.Frame, f.N, f.Delay, f.Times)
}

// faultSet is the faults applying to one response.
type faultSet []Fault

// takeFaults removes one use of every armed fault that applies to a
// response of n frames and returns them. A fault aimed at frame k waits for
// a response that has a frame k (an image transfer, say).
func takeFaults(armed *[]Fault, n int) faultSet {
	var now faultSet
	kept := (*armed)[:0]
	for _, f := range *armed {
		if f.Kind != FaultGarbage && f.Kind != FaultDelay && f.Frame >= n {
			kept = append(kept, f)
			continue
		}
		now = append(now, f)
		if f.Times--; f.Times > 0 {
			kept = append(kept, f)
		}
	}
	*armed = kept
	return now
}

func (fs faultSet) has(k FaultKind, frame int) bool {
	for _, f := range fs {
		if f.Kind == k && f.Frame == frame {
			return true
		}
	}
	return false
}

func (fs faultSet) delay() time.Duration {
	var d time.Duration
	for _, f := range fs {
		if f.Kind == FaultDelay {
			d += f.Delay
		}
	}
	return d
}

// garbage returns the noise to send before the response. It never holds
// 0xEF, so it cannot complete a header by itself: the driver must skip it.
func (fs faultSet) garbage(rng *rand.Rand) []byte {
	var out []byte
	for _, f := range fs {
		if f.Kind != FaultGarbage {
			continue
		}
		for range f.N {
			b := byte(rng.UintN(256))
			if b == 0xEF {
				b = 0x55
			}
			out = append(out, b)
		}
	}
	return out
}

// mangle applies the frame faults to the encoded frame i.
func (fs faultSet) mangle(i int, wire []byte) []byte {
	switch {
	case fs.has(FaultDrop, i):
		return nil
	case fs.has(FaultShort, i):
		return wire[:len(wire)/2]
	case fs.has(FaultChecksum, i):
		wire[len(wire)-1] ^= 0x5A
	}
	return wire
}

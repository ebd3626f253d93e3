package fingerprint_test

import (
	"bufio"
	"flag"
	"os"
	"testing"
	"time"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint/scannertest"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
)

var (
	live       = flag.String("live", "", "run the conformance suite against a real module at this device path (e.g. /dev/ttyUSB0)")
	liveBaud   = flag.Int("live.baud", 57600, "baud rate of the real module")
	liveFinger = flag.Bool("live.finger", false, "with -live: prompt on stderr and wait for Enter to place/lift a finger")
)

func TestConformanceEmulator(t *testing.T) {
	for _, model := range []sim.Model{sim.R307, sim.R503} {
		t.Run(string(model), func(t *testing.T) {
			cfg := sim.DefaultConfig()
			cfg.Model = model
			var r *rig
			scannertest.Run(t, scannertest.Harness{
				Open: func(t *testing.T) fp.Scanner {
					r = unpaced(t, cfg, func(o *fp.Opts) { o.CaptureTimeout = 300 * time.Millisecond })
					return r.s
				},
				Place:   func(t *testing.T) { r.place(0) },
				Lift:    func(t *testing.T) { r.dev.Lift() },
				Timeout: 10 * time.Second,
			})
		})
	}
}

// TestConformanceLive runs the suite on a real module:
//
//	go test ./drivers/fingerprint/ -run Live -args -live=/dev/ttyUSB0 -live.baud=57600 -live.finger
func TestConformanceLive(t *testing.T) {
	if *live == "" {
		t.Skip("no -live device given")
	}
	h := scannertest.Harness{
		Open: func(t *testing.T) fp.Scanner {
			o := fp.DefaultOpts()
			o.Path, o.Baud, o.CaptureTimeout = *live, *liveBaud, 10*time.Second
			s, err := fp.New(o)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Timeout: 30 * time.Second,
	}
	if *liveFinger {
		h.Place = prompt("place a finger on the sensor, then press Enter")
		h.Lift = prompt("lift the finger, then press Enter")
	}
	scannertest.Run(t, h)
}

func prompt(msg string) func(t *testing.T) {
	return func(t *testing.T) {
		os.Stderr.WriteString(msg + "\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
}

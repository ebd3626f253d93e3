package fingerprint_test

import (
	"bytes"
	"errors"
	"testing"

	. "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint/scannertest"
)

// TestDatasheetPackets: every packet printed in the manuals (typed in as
// literal bytes in scannertest.Datasheet) encodes and decodes exactly.
func TestDatasheetPackets(t *testing.T) {
	for _, p := range scannertest.Datasheet {
		t.Run(p.Name, func(t *testing.T) {
			if got := AppendFrame(nil, Frame{Addr: p.Addr, PID: p.PID, Payload: p.Payload}); !bytes.Equal(got, p.Wire) {
				t.Errorf("encodes as % X\ndatasheet    % X", got, p.Wire)
			}
			f, skipped, n, err := ParseFrame(p.Wire)
			if err != nil || skipped != 0 || n != len(p.Wire) {
				t.Fatalf("decode: err %v, skipped %d, consumed %d of %d", err, skipped, n, len(p.Wire))
			}
			if f.Addr != p.Addr || f.PID != p.PID || !bytes.Equal(f.Payload, p.Payload) {
				t.Errorf("decoded %+v", f)
			}
			bad := append([]byte(nil), p.Wire...)
			bad[len(bad)-1]++
			if _, _, _, err := ParseFrame(bad); !errors.Is(err, ErrChecksum) {
				t.Errorf("checksum off by one accepted: %v", err)
			}
		})
	}
}

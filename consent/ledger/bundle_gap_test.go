package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
)

// exportPeriod exports [Epoch+from s, Epoch+to s) of the store.
func (e *env) exportPeriod(from, to int) []byte {
	e.t.Helper()
	var buf bytes.Buffer
	sel := ledger.Selection{Since: consenttest.Epoch.Add(time.Duration(from) * time.Second),
		Until: consenttest.Epoch.Add(time.Duration(to) * time.Second)}
	if _, err := e.l.Export(context.Background(), &buf, sel, e.exportOpts()); err != nil {
		e.t.Fatal(err)
	}
	return buf.Bytes()
}

// dropRecord removes the entry with the given leaf index from a bundle,
// lets edit change the header (as a generic JSON object) and rewrites the
// trailer count, as an attacker with the file would.
func dropRecord(t *testing.T, b []byte, drop int64, edit func(h map[string]any)) []byte {
	t.Helper()
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	var h map[string]any
	d := json.NewDecoder(bytes.NewReader(lines[0]))
	d.UseNumber()
	if err := d.Decode(&h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hb, _ := json.Marshal(h)
	out := [][]byte{hb}
	for _, l := range lines[1 : len(lines)-1] {
		var e struct{ Index int64 }
		if err := json.Unmarshal(l, &e); err != nil {
			t.Fatal(err)
		}
		if e.Index != drop {
			out = append(out, l)
		}
	}
	if len(out) != len(lines)-2 {
		t.Fatalf("index %d is not in the bundle", drop)
	}
	out = append(out, fmt.Appendf(nil, `{"end":{"records":%d}}`, len(out)-1), nil)
	return bytes.Join(out, []byte("\n"))
}

func setRange(key string, v int64) func(map[string]any) {
	return func(h map[string]any) { h["range"].(map[string]any)[key] = v }
}

func noRange(h map[string]any) { delete(h, "range") }

// TestBundleGapsDetected is issue 17, finding 4: a period bundle lost a
// record silently when the attacker also edited or removed the unsigned
// header range. Records 2, 3, 4 are in the period [2 s, 5 s).
func TestBundleGapsDetected(t *testing.T) {
	e := newEnv(t, 7)
	good := e.exportPeriod(2, 5)
	pub := e.fx.Device.Public()
	check := func(b []byte) *bundle.Report {
		return bundle.Verify(bytes.NewReader(b), &bundle.VerifyOpts{PublicKey: pub})
	}
	if rep := check(good); !rep.OK() || len(rep.IDs) != 3 {
		t.Fatalf("untouched bundle: ok=%v ids=%d problems=%v", rep.OK(), len(rep.IDs), rep.Problems)
	}
	for name, b := range map[string][]byte{
		"first removed, range.first edited": dropRecord(t, good, 2, setRange("first", 3)),
		"last removed, range.last edited":   dropRecord(t, good, 4, setRange("last", 3)),
		"middle removed, range removed":     dropRecord(t, good, 3, noRange),
		"first removed, range removed":      dropRecord(t, good, 2, noRange),
		"last removed, range removed":       dropRecord(t, good, 4, noRange),
		"first removed, header untouched":   dropRecord(t, good, 2, func(map[string]any) {}),
		"downgraded to version 1": dropRecord(t, good, 2, func(h map[string]any) {
			h["version"] = 1
			delete(h, "signature")
			delete(h, "period")
			if r, ok := h["range"].(map[string]any); ok {
				r["first"] = 3
			}
		}),
	} {
		if rep := check(b); rep.OK() {
			t.Errorf("%s: the bundle verified (%d records)", name, rep.Records)
		}
	}
}

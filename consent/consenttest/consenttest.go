// Package consenttest builds synthetic consents for tests: device and
// archive keys, statements, handwritten strokes, and a SAT-like certificate
// authority issuing e.firma certificates. Every name and number it makes is
// synthetic. Production code must never import it.
package consenttest

import (
	"crypto/hpke"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

// KioskID is the kiosk id of every fixture.
const KioskID = "kiosk-test-01"

// Epoch is the time of the first fixture statement.
var Epoch = time.Date(2025, 3, 14, 16, 0, 0, 0, time.UTC)

// Fixture holds the keys a kiosk and an auditor use.
type Fixture struct {
	Device  *devicekey.Key
	Archive hpke.PrivateKey
	CA      *SATCA // nil unless WithCA was called
}

// New makes a fixture with fresh device and archive keys.
func New(t testing.TB) *Fixture {
	t.Helper()
	dev, err := devicekey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	arc, err := consent.GenerateArchiveKey()
	if err != nil {
		t.Fatal(err)
	}
	return &Fixture{Device: dev, Archive: arc}
}

// RecordOpts returns options for consent.NewRecord with the fixture's keys.
func (f *Fixture) RecordOpts() *consent.RecordOpts {
	o := &consent.RecordOpts{Archive: f.Archive.PublicKey(), Signer: f.Device}
	if f.CA != nil {
		o.Roots = f.CA.Pool
	}
	return o
}

// Statement returns the i-th synthetic statement, i seconds after Epoch.
func Statement(i int) *consent.Statement {
	at := Epoch.Add(time.Duration(i) * time.Second)
	id, err := consent.NewID(at, seeded(uint64(i)))
	if err != nil {
		panic(err)
	}
	return &consent.Statement{
		ID: id, KioskID: KioskID, OperatorID: "op-0042", Time: at,
		Clock:    consent.ClockSync{State: consent.ClockSynchronized, MaxErrorMillis: 12},
		Notice:   consent.Notice{ID: "aviso-integral", Version: "2025-01", SHA256: sha256.Sum256([]byte("aviso de privacidad integral"))},
		Purposes: []string{"verificacion-identidad"},
		Requests: []string{fmt.Sprintf("req-%06d", i)},
	}
}

// Personal returns synthetic personal fields with a handwritten signature.
func Personal(i int) *consent.Personal {
	return &consent.Personal{
		Name: fmt.Sprintf("Persona Sintética Núñez %04d", i),
		Credentials: []consent.Credential{
			{Kind: "cic", Value: fmt.Sprintf("%09d", 100000000+i)},
			{Kind: "identificadorCiudadano", Value: fmt.Sprintf("%09d", 200000000+i)},
		},
		Handwritten: Strokes(uint64(i)),
	}
}

// Strokes returns a synthetic handwritten signature, reproducible from seed.
func Strokes(seed uint64) *consent.Strokes {
	r := rand.New(rand.NewPCG(seed, 0x5157))
	s := &consent.Strokes{Width: 800, Height: 300}
	t := uint32(0)
	for range 2 + r.IntN(3) {
		var st consent.Stroke
		x, y := 50+r.IntN(600), 50+r.IntN(200)
		for range 10 + r.IntN(40) {
			x = min(max(x+r.IntN(21)-10, 0), 799)
			y = min(max(y+r.IntN(21)-10, 0), 299)
			t += uint32(8 + r.IntN(8))
			st = append(st, consent.Point{X: uint16(x), Y: uint16(y), T: t, Pressure: uint16(20000 + r.IntN(40000))})
		}
		s.Strokes = append(s.Strokes, st)
		t += 150
	}
	return s
}

// Record builds, seals and signs the i-th fixture record.
func (f *Fixture) Record(t testing.TB, i int) (*consent.Record, []byte) {
	t.Helper()
	r, b, err := consent.NewRecord(Statement(i), Personal(i), f.RecordOpts())
	if err != nil {
		t.Fatal(err)
	}
	return r, b
}

// seeded is a deterministic io.Reader for ids.
func seeded(seed uint64) io.Reader { return &prng{rand.New(rand.NewPCG(seed, 0x1d))} }

type prng struct{ r *rand.Rand }

func (p *prng) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.r.Uint32())
	}
	return len(b), nil
}

package inesim_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/memconsent"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// fixedMatcher is a test double with fixed scores, so tests can check that
// scores travel end to end. Real scoring is tested in inesim/cvmatch.
type fixedMatcher struct{ calls atomic.Int64 }

func (m *fixedMatcher) FaceSimilarity(p, r []byte) (int, error) {
	m.calls.Add(1)
	if len(p) == 0 || len(r) == 0 {
		return 0, errors.New("empty")
	}
	return 88, nil
}

func (m *fixedMatcher) FingerSimilarity(p []byte, f uplink.Format, r []byte) (int, error) {
	m.calls.Add(1)
	if bytes.Equal(p, []byte("undecodable")) {
		return 0, errors.New("cannot decode")
	}
	return 66, nil
}

// Synthetic credentials, one per registry status.
var (
	credValid  = credential.Credential{Model: credential.ModelE, CIC: "100000001", IdentificadorCiudadano: "200000001"}
	credIDOnly = credential.Credential{Model: credential.ModelH, CIC: "100000002", IdentificadorCiudadano: "200000002"}
	credExpird = credential.Credential{Model: credential.ModelD, CIC: "100000003", OCR: "0000200000003"}
	credLost   = credential.Credential{Model: credential.ModelG, CIC: "100000004", IdentificadorCiudadano: "200000004"}
	credSusp   = credential.Credential{Model: credential.ModelF, CIC: "100000005", IdentificadorCiudadano: "200000005"}
	credOld    = credential.Credential{Model: credential.ModelB, ClaveElector: "GMVLMR80070501M100", NumeroEmision: "03", OCR: "0000300000006"}
)

type pair struct {
	pki     *inesim.DevPKI
	device  *devicekey.Key
	svc     *inesim.Service
	srv     *inesim.Server
	alloc   *secmem.Allocator
	log     *memconsent.Log
	matcher *fixedMatcher
	skew    atomic.Int64 // server clock offset, ns
}

var (
	pkiOnce sync.Once
	pkiX    *inesim.DevPKI
	pkiErr  error
)

// sharedPKI generates one key set per test binary (X25519 keeps it fast;
// the default KEM is covered by TestDefaultKEM).
func sharedPKI(t testing.TB) *inesim.DevPKI {
	pkiOnce.Do(func() { pkiX, pkiErr = inesim.NewDevPKI("kiosk-test", uplink.KEMX25519, 24*time.Hour) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiX
}

func newPair(t *testing.T, pki *inesim.DevPKI) *pair {
	t.Helper()
	p := &pair{pki: pki, alloc: secmem.NewAllocator(&secmem.Opts{RetainReleased: true}), matcher: &fixedMatcher{}}
	p.device, _ = devicekey.Generate()
	other, _ := devicekey.Generate()
	o, err := pki.ServiceOpts(map[string]ed25519.PublicKey{pki.KioskID: p.device.Public(), "kiosk-other": other.Public()})
	if err != nil {
		t.Fatal(err)
	}
	o.Registry, o.Matcher = testRegistry(t), p.matcher
	o.Now = func() time.Time { return time.Now().Add(time.Duration(p.skew.Load())) }
	if p.svc, err = inesim.New(o); err != nil {
		t.Fatal(err)
	}
	if p.srv, err = inesim.Serve(p.svc, pki, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.srv.Close() })
	if p.log, err = memconsent.New(pki.KioskID, p.device); err != nil {
		t.Fatal(err)
	}
	return p
}

func testRegistry(t *testing.T) *inesim.Registry {
	reg := inesim.NewRegistry()
	refs := map[int][]byte{2: []byte("ref finger 2")}
	for cred, st := range map[credential.Credential]vocab.Status{
		credValid: vocab.StatusValid, credIDOnly: vocab.StatusValidIdentificationOnly, credExpird: vocab.StatusNotCurrent,
		credLost: vocab.StatusLostOrStolen, credSusp: vocab.StatusSuspendedRights, credOld: vocab.StatusValid,
	} {
		if err := reg.Add(&inesim.Citizen{Credential: cred, Status: st, Face: []byte("ref face"), Fingers: refs}); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

func (p *pair) client(t *testing.T, mod func(*uplink.Opts)) *uplink.Client {
	t.Helper()
	o, err := p.pki.ClientOpts(p.srv.URL, p.device, p.alloc)
	if err != nil {
		t.Fatal(err)
	}
	o.Backoff = time.Millisecond
	if mod != nil {
		mod(o)
	}
	c, err := uplink.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func (p *pair) request(t *testing.T, cred credential.Credential) *uplink.Request {
	t.Helper()
	id := fmt.Sprintf("r_%x", randBytes(8))
	proof, err := p.log.Consent(id)
	if err != nil {
		t.Fatal(err)
	}
	return &uplink.Request{ID: id, Consent: proof, Credential: cred.Secret(),
		Biometrics: []uplink.Biometric{
			{Kind: uplink.KindFace, Format: uplink.FormatJPEG, Data: randBytes(2000)},
			{Kind: uplink.KindFinger, Position: 2, Format: uplink.FormatWSQ, Data: randBytes(700)},
		},
		Liveness: &uplink.Liveness{Decision: uplink.LivenessLive, Cues: map[string]float64{"blink": 0.9}}}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestEveryAnswerStatus(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c := p.client(t, nil)
	mismatch := credValid
	mismatch.IdentificadorCiudadano = "299999999"
	older := credOld
	older.NumeroEmision = "02"
	wrongModel := credValid
	wrongModel.Model = credential.ModelF
	cases := []struct {
		name   string
		cred   credential.Credential
		want   vocab.Status
		scored bool
	}{
		{"valid", credValid, vocab.StatusValid, true},
		{"id only", credIDOnly, vocab.StatusValidIdentificationOnly, true},
		{"not current", credExpird, vocab.StatusNotCurrent, true},
		{"older emission", older, vocab.StatusNotCurrent, false},
		{"lost", credLost, vocab.StatusLostOrStolen, true},
		{"suspended", credSusp, vocab.StatusSuspendedRights, true},
		{"clave model A-C", credOld, vocab.StatusValid, true},
		{"not found", credential.Credential{Model: credential.ModelE, CIC: "999999999", IdentificadorCiudadano: "200000001"}, vocab.StatusNotFound, false},
		{"mismatch", mismatch, vocab.StatusDataMismatch, false},
		{"model mismatch", wrongModel, vocab.StatusDataMismatch, false},
	}
	seen := map[vocab.Status]bool{}
	for _, tc := range cases {
		a, err := c.Verify(context.Background(), p.request(t, tc.cred))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		seen[a.Status] = true
		if a.Status != tc.want || a.TransactionID == "" {
			t.Errorf("%s: status %s, want %s", tc.name, a.Status, tc.want)
		}
		if scored := a.FaceSimilarity == 88 && a.FingerSimilarity == 66 && a.FingerPosition == 2; scored != tc.scored {
			t.Errorf("%s: scores face %d finger %d, want scored=%v", tc.name, a.FaceSimilarity, a.FingerSimilarity, tc.scored)
		}
	}
	for _, st := range vocab.Statuses() {
		if !seen[st] {
			t.Errorf("status %s never exercised", st)
		}
	}
	m := c.Metrics()
	if m.Verifications[vocab.StatusValid] != 2 || m.Attempts != uint64(len(cases)) || m.Retries != 0 {
		t.Errorf("metrics %+v", m)
	}
	if p.alloc.Stats().Live != 0 {
		t.Errorf("secmem buffers still live: %+v", p.alloc.Stats())
	}
	if err := p.alloc.AuditReleased(); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultKEM(t *testing.T) {
	pki, err := inesim.NewDevPKI("kiosk-pq", uplink.KEMMLKEM768X25519, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(t, pki)
	a, err := p.client(t, nil).Verify(context.Background(), p.request(t, credValid))
	if err != nil || a.Status != vocab.StatusValid {
		t.Fatalf("MLKEM768-X25519: %v %v", a.Status, err)
	}
}

func unknown(t *testing.T, a uplink.Answer, err error, reason uplink.Reason) *uplink.Error {
	t.Helper()
	var e *uplink.Error
	if a.Status != vocab.StatusUnknown || a.Reason != reason || !errors.As(err, &e) || e.Reason != reason {
		t.Fatalf("got %s/%s (%v), want unknown/%s", a.Status, a.Reason, err, reason)
	}
	if a.FaceSimilarity != -1 || a.FingerSimilarity != -1 || a.TransactionID != "" {
		t.Fatal("an unknown answer carries scores")
	}
	return e
}

// TestVerifyMapsNoMemoryOnceWarm (issue 16): after a first verification
// the client's locked buffers (metadata, payload, answer key) come from
// secmem's pool, so a verification maps and unmaps nothing; mapping and
// unmapping a payload-sized buffer each time made munmap half of the
// kiosk's seal+open CPU. With the pool off every buffer is mapped.
func TestVerifyMapsNoMemoryOnceWarm(t *testing.T) {
	for _, pool := range []int{0, -1} {
		p := newPair(t, sharedPKI(t))
		p.alloc = secmem.NewAllocator(&secmem.Opts{PoolBytes: pool})
		c := p.client(t, nil)
		verify := func() {
			if a, err := c.Verify(context.Background(), p.request(t, credValid)); err != nil || a.Status != vocab.StatusValid {
				t.Fatalf("verify: %v %v", a.Status, err)
			}
		}
		verify()
		before := p.alloc.Stats()
		for range 5 {
			verify()
		}
		after := p.alloc.Stats()
		mapped, allocs := (after.Allocs-after.Reused)-(before.Allocs-before.Reused), after.Allocs-before.Allocs
		if allocs < 15 || after.Live != 0 {
			t.Fatalf("pool %d: %d buffers over 5 verifications, %d live (want ≥ 3 each, none live)", pool, allocs, after.Live)
		}
		if want := map[int]int{0: 0, -1: allocs}[pool]; mapped != want {
			t.Fatalf("pool %d: %d of %d buffers mapped over 5 warm verifications, want %d", pool, mapped, allocs, want)
		}
		p.alloc.Close()
	}
}

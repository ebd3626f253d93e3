package uplink_test

import (
	"bytes"
	"crypto/hpke"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/memconsent"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

type fixture struct {
	kiosk   *devicekey.Key
	ineSign *devicekey.Key
	ineKey  hpke.PrivateKey
	alloc   *secmem.Allocator
	sealer  *uplink.Sealer
	log     *memconsent.Log
}

var t0 = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, kem string) *fixture {
	t.Helper()
	f := &fixture{alloc: secmem.NewAllocator(&secmem.Opts{RetainReleased: true})}
	f.kiosk, _ = devicekey.Generate()
	f.ineSign, _ = devicekey.Generate()
	k, err := uplink.KEMByName(kem)
	if err != nil {
		t.Fatal(err)
	}
	if f.ineKey, err = k.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	f.sealer = &uplink.Sealer{KioskID: "kiosk-7", KeyID: uplink.KeyID(f.ineKey.PublicKey()), INEKey: f.ineKey.PublicKey(),
		Signer: f.kiosk, Alloc: f.alloc, Now: func() time.Time { return t0 }}
	if f.log, err = memconsent.New("kiosk-7", f.kiosk); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) request(t testing.TB, face, finger []byte) *uplink.Request {
	t.Helper()
	id := fmt.Sprintf("r_%x", randBytes(8))
	p, err := f.log.Consent(id)
	if err != nil {
		t.Fatal(err)
	}
	r := &uplink.Request{ID: id, Consent: p, Credential: credential.Credential{Model: credential.ModelE, CIC: "156549854", IdentificadorCiudadano: "105283647"}.Secret()}
	if face != nil {
		r.Biometrics = append(r.Biometrics, uplink.Biometric{Kind: uplink.KindFace, Format: uplink.FormatJPEG, Data: face})
		r.Liveness = &uplink.Liveness{Decision: uplink.LivenessLive, Method: "blink+turn", Cues: map[string]float64{"blink": 0.9}}
	}
	if finger != nil {
		r.Biometrics = append(r.Biometrics, uplink.Biometric{Kind: uplink.KindFinger, Position: 2, Format: uplink.FormatWSQ, Data: finger})
	}
	return r
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestRoundTrip(t *testing.T) {
	for _, kem := range []string{uplink.KEMMLKEM768X25519, uplink.KEMX25519} {
		t.Run(kem, func(t *testing.T) {
			f := newFixture(t, kem)
			face, finger := randBytes(1000), randBytes(500)
			s, err := f.sealer.Seal(f.request(t, face, finger))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Release()
			if bytes.Contains(s.Envelope(), face[:32]) || bytes.Contains(s.Envelope(), []byte("156549854")) {
				t.Fatal("envelope holds clear biometric or credential bytes")
			}
			r, err := uplink.OpenRequest(uplink.NewKeyRing(f.ineKey), s.Envelope())
			if err != nil {
				t.Fatal(err)
			}
			if err := r.VerifySignature(f.kiosk.Public()); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Consent.Verify(r.KioskID, r.RequestID, f.kiosk.Public()); err != nil {
				t.Fatal(err)
			}
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Biometrics[0].Data, face) || !bytes.Equal(r.Biometrics[1].Data, finger) || r.Biometrics[1].Position != 2 ||
				r.Credential.CIC != "156549854" || r.KioskID != "kiosk-7" || !r.CreatedAt.Equal(t0) || r.RequestID != s.RequestID {
				t.Fatal("decoded request differs")
			}
			body, err := r.SealAnswer(uplink.Answer{Status: vocab.StatusValid, FaceSimilarity: 91, FingerSimilarity: 77, FingerPosition: 2, TransactionID: "T-1"}, f.ineSign, t0)
			if err != nil {
				t.Fatal(err)
			}
			data := r.Biometrics[0].Data
			r.Wipe()
			if !bytes.Equal(data, make([]byte, len(data))) {
				t.Fatal("Wipe left biometric bytes in the decrypted plaintext")
			}
			a, err := s.Open(body, f.ineSign.Public())
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != vocab.StatusValid || a.FaceSimilarity != 91 || a.FingerSimilarity != 77 || a.FingerPosition != 2 || a.TransactionID != "T-1" {
				t.Fatalf("answer %#v", a)
			}
			s.Release()
			if f.alloc.Stats().Live != 0 {
				t.Fatalf("live secmem after release: %+v", f.alloc.Stats())
			}
			if err := f.alloc.AuditReleased(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTamperedEnvelopeRefused(t *testing.T) {
	f := newFixture(t, uplink.KEMX25519)
	s, err := f.sealer.Seal(f.request(t, randBytes(300), nil))
	if err != nil {
		t.Fatal(err)
	}
	ring := uplink.NewKeyRing(f.ineKey)
	for _, off := range []int{9, 14, 20, len(s.Envelope()) / 2, len(s.Envelope()) - 1} {
		bad := bytes.Clone(s.Envelope())
		bad[off] ^= 0x40
		if _, err := uplink.OpenRequest(ring, bad); err == nil {
			t.Errorf("flip at %d accepted", off)
		}
	}
	other, _ := uplink.KEMByName(uplink.KEMX25519)
	k2, _ := other.GenerateKey()
	if _, err := uplink.OpenRequest(uplink.NewKeyRing(k2), s.Envelope()); !errors.Is(err, uplink.ErrUnknownKey) {
		t.Errorf("foreign ring: %v", err)
	}
}

func TestWrongKioskKeyRefused(t *testing.T) {
	f := newFixture(t, uplink.KEMX25519)
	s, _ := f.sealer.Seal(f.request(t, randBytes(300), nil))
	r, err := uplink.OpenRequest(uplink.NewKeyRing(f.ineKey), s.Envelope())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := devicekey.Generate()
	if err := r.VerifySignature(other.Public()); !errors.Is(err, uplink.ErrRequestSignature) {
		t.Fatalf("signature under another key: %v", err)
	}
	if _, err := r.Consent.Verify(r.KioskID, r.RequestID, other.Public()); !errors.Is(err, uplink.ErrConsent) {
		t.Fatalf("checkpoint under another key: %v", err)
	}
	if _, err := r.Consent.Verify("kiosk-8", r.RequestID, f.kiosk.Public()); !errors.Is(err, uplink.ErrConsent) {
		t.Fatalf("checkpoint of another kiosk: %v", err)
	}
	p := r.Consent
	p.RecordHash[0] ^= 1
	if _, err := p.Verify(r.KioskID, r.RequestID, f.kiosk.Public()); !errors.Is(err, uplink.ErrConsent) {
		t.Fatalf("wrong record hash: %v", err)
	}
}

// TestConsentNamesTheRequest is issue 17, finding 5 on the protocol level:
// the consent record must name the request id it travels with.
func TestConsentNamesTheRequest(t *testing.T) {
	f := newFixture(t, uplink.KEMX25519)
	req := f.request(t, randBytes(300), nil)
	other, err := f.log.Consent("r_another-request")
	if err != nil {
		t.Fatal(err)
	}
	req.Consent = other
	s, err := f.sealer.Seal(req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	r, err := uplink.OpenRequest(uplink.NewKeyRing(f.ineKey), s.Envelope())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Wipe()
	if r.RequestID != req.ID || s.RequestID != req.ID {
		t.Fatalf("request id on the wire %q / %q, the session's %q", r.RequestID, s.RequestID, req.ID)
	}
	if _, err := r.Consent.Verify(r.KioskID, r.RequestID, f.kiosk.Public()); !errors.Is(err, uplink.ErrConsentNotBound) {
		t.Fatalf("a consent naming another request: %v", err)
	}
	if _, err := r.Consent.Verify(r.KioskID, "r_another-request", f.kiosk.Public()); err != nil {
		t.Fatalf("the request it names: %v", err)
	}
	req.ID = "bad id with spaces"
	if _, err := f.sealer.Seal(req); !errors.Is(err, uplink.ErrInvalidRequest) {
		t.Fatalf("malformed request id: %v", err)
	}
}

func TestAnswerBinding(t *testing.T) {
	f := newFixture(t, uplink.KEMX25519)
	ring := uplink.NewKeyRing(f.ineKey)
	s1, _ := f.sealer.Seal(f.request(t, randBytes(300), nil))
	s2, _ := f.sealer.Seal(f.request(t, randBytes(300), nil))
	r1, _ := uplink.OpenRequest(ring, s1.Envelope())
	ans := uplink.Answer{Status: vocab.StatusNotFound, FaceSimilarity: -1, FingerSimilarity: -1, TransactionID: "T"}
	body1, _ := r1.SealAnswer(ans, f.ineSign, t0)
	if _, err := s2.Open(body1, f.ineSign.Public()); !errors.Is(err, uplink.ErrNotBound) {
		t.Fatalf("answer for request 1 opened as request 2: %v", err)
	}
	mallory, _ := devicekey.Generate()
	forged, _ := r1.SealAnswer(ans, mallory, t0)
	if _, err := s1.Open(forged, f.ineSign.Public()); !errors.Is(err, uplink.ErrAnswerSignature) {
		t.Fatalf("answer signed by another key: %v", err)
	}
	flipped := bytes.Clone(body1)
	flipped[len(flipped)-3] ^= 1
	if _, err := s1.Open(flipped, f.ineSign.Public()); err == nil {
		t.Fatal("tampered answer accepted")
	}
	if _, err := s1.Open(body1, f.ineSign.Public()); err != nil {
		t.Fatal(err)
	}
}

func TestSealValidates(t *testing.T) {
	f := newFixture(t, uplink.KEMX25519)
	r := f.request(t, randBytes(10), nil)
	r.Liveness = nil
	if _, err := f.sealer.Seal(r); err == nil {
		t.Fatal("face without liveness accepted")
	}
	r = f.request(t, nil, randBytes(10))
	r.Biometrics[0].Position = 11
	if _, err := f.sealer.Seal(r); err == nil {
		t.Fatal("finger position 11 accepted")
	}
	r = f.request(t, nil, randBytes(10))
	r.Credential.Fields[0].Value = []byte("1") // the CIC
	if _, err := f.sealer.Seal(r); err == nil {
		t.Fatal("bad CIC accepted")
	}
	if f.alloc.Stats().Live != 0 {
		t.Fatal("validation failure leaked a buffer")
	}
}

func TestKeyPEMRoundTrip(t *testing.T) {
	for _, kem := range []string{uplink.KEMMLKEM768X25519, uplink.KEMX25519} {
		k, _ := uplink.KEMByName(kem)
		sk, _ := k.GenerateKey()
		pub, err := uplink.ParsePublicKeyPEM(uplink.MarshalPublicKeyPEM(sk.PublicKey()))
		if err != nil || !bytes.Equal(pub.Bytes(), sk.PublicKey().Bytes()) {
			t.Fatalf("%s public: %v", kem, err)
		}
		b, _ := uplink.MarshalPrivateKeyPEM(sk)
		sk2, err := uplink.ParsePrivateKeyPEM(b)
		if err != nil || uplink.KeyID(sk2.PublicKey()) != uplink.KeyID(sk.PublicKey()) {
			t.Fatalf("%s private: %v", kem, err)
		}
		if uplink.KEMName(k.ID()) != kem {
			t.Fatalf("KEMName(%x) = %s", k.ID(), uplink.KEMName(k.ID()))
		}
	}
	if _, err := uplink.ParsePublicKeyPEM([]byte("junk")); err == nil {
		t.Fatal("junk parsed")
	}
}

func TestFormattingIsRedacted(t *testing.T) {
	f := newFixture(t, uplink.KEMX25519)
	secret := []byte("SECRET-BIOMETRIC-BYTES")
	r := f.request(t, nil, secret)
	s, _ := f.sealer.Seal(r)
	defer s.Release()
	rec, _ := uplink.OpenRequest(uplink.NewKeyRing(f.ineKey), s.Envelope())
	a := uplink.Answer{Status: vocab.StatusValid, TransactionID: "TX-SECRET"}
	for _, v := range []any{r, *r, r.Biometrics[0], r.Biometrics, rec, a} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(format, v)
			if strings.Contains(out, "SECRET") || strings.Contains(out, "156549854") || strings.Contains(out, "83, 69, 67") {
				t.Fatalf("%s of %T leaks: %s", format, v, out)
			}
		}
	}
}

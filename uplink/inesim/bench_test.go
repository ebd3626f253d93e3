package inesim_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/memconsent"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// The benchmark payload: a 100 KB face JPEG and a 30 KB WSQ fingerprint
// (random bytes: uplink treats biometrics as opaque).
func benchRequest(b *testing.B, log *memconsent.Log) *uplink.Request {
	req := &uplink.Request{Credential: credValid.Secret(),
		Biometrics: []uplink.Biometric{
			{Kind: uplink.KindFace, Format: uplink.FormatJPEG, Data: randBytes(100 << 10)},
			{Kind: uplink.KindFinger, Position: 2, Format: uplink.FormatWSQ, Data: randBytes(30 << 10)},
		},
		Liveness: &uplink.Liveness{Decision: uplink.LivenessLive, Cues: map[string]float64{"blink": 0.9, "texture": 0.8}}}
	freshConsent(b, log, req)
	return req
}

// freshConsent gives req a new request id and a consent naming it, as a
// new session would (INE refuses a consent used for another request).
func freshConsent(b *testing.B, log *memconsent.Log, req *uplink.Request) {
	req.ID = fmt.Sprintf("r_%x", randBytes(8))
	var err error
	if req.Consent, err = log.Consent(req.ID); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkKioskSide measures what the kiosk computes per verification:
// build + sign + seal the request, then open + verify the answer. INE's
// work (open, verify, seal the answer) is excluded from the timing.
func BenchmarkKioskSide(b *testing.B) {
	for _, kem := range []string{uplink.KEMMLKEM768X25519, uplink.KEMX25519} {
		for _, pool := range []int{0, -1} { // secmem pool (default) vs a fresh mapping per buffer
			name := kem + map[int]string{0: "/pool", -1: "/no-pool"}[pool]
			b.Run(name, func(b *testing.B) { benchKioskSide(b, kem, pool) })
		}
	}
}

func benchKioskSide(b *testing.B, kem string, pool int) {
	k, _ := uplink.KEMByName(kem)
	sk, _ := k.GenerateKey()
	device, _ := devicekey.Generate()
	ineSign, _ := devicekey.Generate()
	log, _ := memconsent.New("kiosk-b", device)
	alloc := secmem.NewAllocator(&secmem.Opts{PoolBytes: pool})
	defer alloc.Close()
	s := &uplink.Sealer{KioskID: "kiosk-b", KeyID: uplink.KeyID(sk.PublicKey()), INEKey: sk.PublicKey(), Signer: device, Alloc: alloc, Now: time.Now}
	req := benchRequest(b, log)
	ring := uplink.NewKeyRing(sk)
	b.SetBytes(130 << 10)
	b.ResetTimer()
	for b.Loop() {
		sealed, err := s.Seal(req)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rec, _ := uplink.OpenRequest(ring, sealed.Envelope)
		ans, _ := rec.SealAnswer(uplink.Answer{Status: vocab.StatusValid, FaceSimilarity: 90, FingerSimilarity: 80, FingerPosition: 2, TransactionID: "t"}, ineSign, time.Now())
		rec.Wipe()
		b.StartTimer()
		if _, err := sealed.Open(ans, ineSign.Public()); err != nil {
			b.Fatal(err)
		}
		sealed.Release()
	}
}

// plainBody is the comparison: the same fields as plain JSON, biometrics in
// base64, no signature, no HPKE; only TLS protects it.
type plainBody struct {
	RequestID  string            `json:"requestId"`
	Credential map[string]string `json:"credential"`
	Face       []byte            `json:"face"`
	Finger     []byte            `json:"finger"`
	Liveness   *uplink.Liveness  `json:"liveness"`
}

type plainAnswer struct {
	Status string `json:"status"`
	Face   int    `json:"face"`
	Finger int    `json:"finger"`
}

// BenchmarkRoundTripTLS compares a full verification over mutual TLS on
// loopback: the protocol (client.Verify against inesim with a fixed-score
// matcher) against a plain JSON POST of the same data to a handler that
// decodes it and answers JSON, over the same TLS configuration.
func BenchmarkRoundTripTLS(b *testing.B) {
	pki := sharedPKI(b)
	pq, err := inesim.NewDevPKI("kiosk-pq", uplink.KEMMLKEM768X25519, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("protocol-mlkem768-x25519", func(b *testing.B) { benchProtocol(b, pq) })
	b.Run("protocol-x25519", func(b *testing.B) { benchProtocol(b, pki) })
	b.Run("plain-json", func(b *testing.B) { benchPlain(b, pki) })
}

func benchProtocol(b *testing.B, pki *inesim.DevPKI) {
	device, _ := devicekey.Generate()
	o, _ := pki.ServiceOpts(map[string]ed25519.PublicKey{pki.KioskID: device.Public()})
	o.Registry, o.Matcher = benchRegistry(b), &fixedMatcher{}
	svc, _ := inesim.New(o)
	srv, err := inesim.Serve(svc, pki, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	co, _ := pki.ClientOpts(srv.URL, device, secmem.NewAllocator(nil))
	c, _ := uplink.New(co)
	defer c.Close()
	log, _ := memconsent.New(pki.KioskID, device)
	req := benchRequest(b, log)
	b.SetBytes(130 << 10)
	b.ResetTimer()
	for b.Loop() {
		// A fresh request id, consent and nonce each time, as in production.
		b.StopTimer()
		freshConsent(b, log, req)
		b.StartTimer()
		if a, err := c.Verify(context.Background(), req); err != nil || a.Status != vocab.StatusValid {
			b.Fatal(a.Status, err)
		}
	}
}

func benchRegistry(b *testing.B) *inesim.Registry {
	reg := inesim.NewRegistry()
	reg.Add(&inesim.Citizen{Credential: credValid, Status: vocab.StatusValid, Face: []byte("f"), Fingers: map[int][]byte{2: []byte("g")}})
	return reg
}

func benchPlain(b *testing.B, pki *inesim.DevPKI) {
	cfg, _ := inesim.ServerTLS(pki.ServerCert, pki.ServerKey, pki.CACert)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{TLSConfig: cfg, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p plainBody
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || len(p.Face) == 0 {
			http.Error(w, "bad", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(plainAnswer{Status: "valid", Face: 88, Finger: 66})
	})}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()
	tlsc, _ := uplink.ClientTLS(pki.CACert, pki.ClientCert, pki.ClientKey)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsc, ForceAttemptHTTP2: true}}
	defer hc.CloseIdleConnections()
	face, finger := randBytes(100<<10), randBytes(30<<10)
	url := "https://" + ln.Addr().String() + "/"
	b.SetBytes(130 << 10)
	b.ResetTimer()
	for b.Loop() {
		body, _ := json.Marshal(plainBody{RequestID: "x", Credential: map[string]string{"model": "E", "cic": credValid.CIC, "identificadorCiudadano": credValid.IdentificadorCiudadano},
			Face: face, Finger: finger, Liveness: &uplink.Liveness{Decision: "live"}})
		resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var a plainAnswer
		json.NewDecoder(resp.Body).Decode(&a)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if a.Status != "valid" {
			b.Fatal(a.Status)
		}
	}
}

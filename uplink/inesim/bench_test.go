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
	"github.com/ventanilla-mx/ventanilla/internal/benchcpu"
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

// BenchmarkKioskSide measures what the kiosk computes per verification,
// without the network: build + sign + seal the request, then open + verify
// the answer (INE's work in between is not timed). In alternation with the
// kiosk side of plain JSON: encoding the same request (biometrics in
// base64) and decoding a JSON answer. CPU time from getrusage.
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
	var sealed *uplink.Sealed
	seal := func() {
		var err error
		if sealed, err = s.Seal(req); err != nil {
			b.Fatal(err)
		}
	}
	open := func(ans []byte) {
		if _, err := sealed.Open(ans, ineSign.Public()); err != nil {
			b.Fatal(err)
		}
		sealed.Release()
	}
	plain := plainKioskSide(req)
	seal()
	open(ineAnswer(b, ring, sealed, ineSign))
	maps := mapped(alloc)
	var p benchcpu.Pair
	b.SetBytes(130 << 10)
	for b.Loop() {
		tb := benchcpu.Time(plain)
		ta := benchcpu.Time(seal)
		ans := ineAnswer(b, ring, sealed, ineSign)
		p.Add(ta+benchcpu.Time(func() { open(ans) }), tb)
	}
	b.ReportMetric(float64(mapped(alloc)-maps)/float64(b.N), "mmaps/op")
	p.Report(b, "protocol", "json", 5)
}

// ineAnswer is INE's side between seal and open (not timed).
func ineAnswer(b *testing.B, ring uplink.KeyRing, sealed *uplink.Sealed, ineSign devicekey.Signer) []byte {
	rec, err := uplink.OpenRequest(ring, sealed.Envelope())
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Wipe()
	ans, err := rec.SealAnswer(uplink.Answer{Status: vocab.StatusValid, FaceSimilarity: 90, FingerSimilarity: 80, FingerPosition: 2, TransactionID: "t"}, ineSign, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return ans
}

// plainKioskSide is the kiosk's compute for plain JSON: encode the request
// (biometrics in base64), decode an answer.
func plainKioskSide(req *uplink.Request) func() {
	ans, _ := json.Marshal(plainAnswer{Status: "valid", Face: 88, Finger: 66})
	return func() {
		body, err := json.Marshal(plainBody{RequestID: req.ID, Credential: map[string]string{"model": "E", "cic": credValid.CIC, "identificadorCiudadano": credValid.IdentificadorCiudadano},
			Face: req.Biometrics[0].Data, Finger: req.Biometrics[1].Data, Liveness: req.Liveness})
		var a plainAnswer
		if err != nil || len(body) == 0 || json.Unmarshal(ans, &a) != nil || a.Status != "valid" {
			panic("plain JSON kiosk side failed")
		}
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
// loopback, client and server in this process: the protocol (Client.Verify
// against inesim with a fixed-score matcher) against a plain JSON POST of
// the same data to a handler that decodes it and answers JSON, over the same
// TLS configuration, HTTP version and connection reuse. The two arms run in
// alternation; CPU time is the whole process's (both ends), from getrusage.
func BenchmarkRoundTripTLS(b *testing.B) {
	for _, kem := range []string{uplink.KEMMLKEM768X25519, uplink.KEMX25519} {
		b.Run(kem, func(b *testing.B) {
			pki, err := inesim.NewDevPKI("kiosk-bench", kem, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			prep, proto, alloc := protocolArm(b, pki)
			plain := plainArm(b, pki)
			proto() // connections up, pool warm
			plain()
			maps := mapped(alloc)
			var p benchcpu.Pair
			b.SetBytes(130 << 10)
			for b.Loop() {
				prep()
				p.Step(proto, plain)
			}
			b.ReportMetric(float64(mapped(alloc)-maps)/float64(b.N), "mmaps/op")
			p.Report(b, "protocol", "json", 5)
		})
	}
}

// mapped counts the buffers alloc had to map (not served from its pool).
func mapped(a *secmem.Allocator) int {
	st := a.Stats()
	return st.Allocs - st.Reused
}

// protocolArm returns one verification through uplink.Client against an
// in-process inesim, and prep, which gives the next verification a fresh
// request id and consent as a new session would (INE refuses a consent
// used for another request); prep runs outside the timing.
func protocolArm(b *testing.B, pki *inesim.DevPKI) (prep, verify func(), alloc *secmem.Allocator) {
	device, _ := devicekey.Generate()
	o, _ := pki.ServiceOpts(map[string]ed25519.PublicKey{pki.KioskID: device.Public()})
	o.Registry, o.Matcher = benchRegistry(b), &fixedMatcher{}
	svc, _ := inesim.New(o)
	srv, err := inesim.Serve(svc, pki, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	alloc = secmem.NewAllocator(nil)
	b.Cleanup(func() { alloc.Close() })
	co, _ := pki.ClientOpts(srv.URL, device, alloc)
	c, _ := uplink.New(co)
	b.Cleanup(c.Close)
	log, _ := memconsent.New(pki.KioskID, device)
	req := benchRequest(b, log)
	prep = func() { freshConsent(b, log, req) }
	verify = func() {
		if a, err := c.Verify(context.Background(), req); err != nil || a.Status != vocab.StatusValid {
			b.Fatal(a.Status, err)
		}
	}
	return prep, verify, alloc
}

func benchRegistry(b *testing.B) *inesim.Registry {
	reg := inesim.NewRegistry()
	reg.Add(&inesim.Citizen{Credential: credValid, Status: vocab.StatusValid, Face: []byte("f"), Fingers: map[int][]byte{2: []byte("g")}})
	return reg
}

// plainArm returns one plain JSON verification over the same TLS
// configuration as the protocol's (server TLS from the same key set, the
// client's TLS 1.3 and HTTP/2 transport as uplink builds it).
func plainArm(b *testing.B, pki *inesim.DevPKI) func() {
	cfg, _ := inesim.ServerTLS(pki.ServerCert, pki.ServerKey, pki.CACert)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{TLSConfig: cfg, Handler: http.HandlerFunc(plainHandler)}
	go srv.ServeTLS(ln, "", "")
	b.Cleanup(func() { srv.Close() })
	tlsc, _ := uplink.ClientTLS(pki.CACert, pki.ClientCert, pki.ClientKey)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsc, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 2}}
	b.Cleanup(hc.CloseIdleConnections)
	face, finger := randBytes(100<<10), randBytes(30<<10)
	url := "https://" + ln.Addr().String() + "/"
	return func() {
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
		if a.Status != "valid" || resp.ProtoMajor != 2 {
			b.Fatal(a.Status, resp.Proto)
		}
	}
}

func plainHandler(w http.ResponseWriter, r *http.Request) {
	var p plainBody
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || len(p.Face) == 0 {
		http.Error(w, "bad", 400)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(plainAnswer{Status: "valid", Face: 88, Finger: 66})
}

package inesim_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/memconsent"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// interposer sits between the client and the real TLS transport, as an
// attacker inside the kiosk's network stack would (it sees only the sealed
// bytes). It can rewrite requests and responses and records both.
type interposer struct {
	next http.RoundTripper

	mu        sync.Mutex
	editReq   func([]byte) []byte
	editResp  func([]byte) []byte
	requests  [][]byte
	headers   []http.Header
	responses [][]byte
}

func (ip *interposer) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	ip.mu.Lock()
	ip.requests, ip.headers = append(ip.requests, bytes.Clone(body)), append(ip.headers, r.Header.Clone())
	if ip.editReq != nil {
		body = ip.editReq(body)
	}
	ip.mu.Unlock()
	r2 := r.Clone(r.Context())
	r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp, err := ip.next.RoundTrip(r2)
	if err != nil {
		return nil, err
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ip.mu.Lock()
	ip.responses = append(ip.responses, bytes.Clone(rb))
	if ip.editResp != nil {
		rb = ip.editResp(rb)
	}
	ip.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	return resp, nil
}

func (p *pair) interposed(t *testing.T) (*uplink.Client, *interposer) {
	tlsc, err := uplink.ClientTLS(p.pki.CACert, p.pki.ClientCert, p.pki.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	ip := &interposer{next: &http.Transport{TLSClientConfig: tlsc, ForceAttemptHTTP2: true}}
	return p.client(t, func(o *uplink.Opts) { o.Transport = ip }), ip
}

// post sends raw bytes over the kiosk's real TLS identity.
func (p *pair) post(t *testing.T, body []byte, h http.Header) (int, []byte) {
	tlsc, _ := uplink.ClientTLS(p.pki.CACert, p.pki.ClientCert, p.pki.ClientKey)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsc}}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/v2/verifications", bytes.NewReader(body))
	req.Header = h.Clone()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, rb
}

func TestTamperedRequestRefused(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c, ip := p.interposed(t)
	for _, off := range []int{10, 40, 2000} {
		ip.editReq = func(b []byte) []byte { b = bytes.Clone(b); b[off] ^= 0x01; return b }
		a, err := c.Verify(context.Background(), p.request(t, credValid))
		e := unknown(t, a, err, uplink.ReasonRefused)
		if e.HTTPStatus != 400 || (e.Code != "decrypt" && e.Code != "unknown-key" && e.Code != "malformed") {
			t.Errorf("flip at %d: HTTP %d code %q", off, e.HTTPStatus, e.Code)
		}
	}
	if st := p.svc.Stats(); st.Answered != 0 || st.Refused != 3 {
		t.Fatalf("service stats %+v", st)
	}
}

func TestReplayedRequestRefused(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c, ip := p.interposed(t)
	if a, err := c.Verify(context.Background(), p.request(t, credValid)); err != nil || a.Status != vocab.StatusValid {
		t.Fatal(a.Status, err)
	}
	env, hdr, first := ip.requests[0], ip.headers[0], ip.responses[0]
	lookups := p.matcher.calls.Load()

	// Inside the idempotency window an identical retransmission gets the
	// same sealed answer and no new lookup.
	code, body := p.post(t, env, hdr)
	if code != 200 || !bytes.Equal(body, first) || p.matcher.calls.Load() != lookups {
		t.Fatalf("retransmission: HTTP %d, same answer %v", code, bytes.Equal(body, first))
	}
	// After it, the nonce is still remembered: replay.
	p.skew.Store(int64(3 * time.Minute))
	if code, body = p.post(t, env, hdr); code != 409 || !bytes.Contains(body, []byte(`"replay"`)) {
		t.Fatalf("replay after idempotency window: HTTP %d %s", code, body)
	}
	// After the replay window the request is stale.
	p.skew.Store(int64(6 * time.Minute))
	if code, body = p.post(t, env, hdr); code != 400 || !bytes.Contains(body, []byte(`"stale"`)) {
		t.Fatalf("replay after replay window: HTTP %d %s", code, body)
	}
	if p.matcher.calls.Load() != lookups {
		t.Fatal("a replay reached the matcher")
	}
}

func TestSameRequestIDDifferentBytesConflict(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	pk, _ := uplink.ParsePublicKeyPEM(p.pki.HPKEPublic)
	s := &uplink.Sealer{KioskID: p.pki.KioskID, KeyID: uplink.KeyID(pk), INEKey: pk, Signer: p.device, Alloc: p.alloc, Now: time.Now}
	req := p.request(t, credValid)
	one, err := s.Seal(req)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Release()
	two, _ := s.Seal(req) // same request id, a fresh nonce
	defer two.Release()
	if one.RequestID != two.RequestID || bytes.Equal(one.Envelope(), two.Envelope()) {
		t.Fatal("fixture: want same request id, different bytes")
	}
	h := http.Header{"Content-Type": {uplink.ContentTypeRequest}, "Idempotency-Key": {one.RequestID}}
	if code, _ := p.post(t, one.Envelope(), h); code != 200 {
		t.Fatalf("first: HTTP %d", code)
	}
	if code, body := p.post(t, two.Envelope(), h); code != 409 || !bytes.Contains(body, []byte(`"conflict"`)) {
		t.Fatalf("second: HTTP %d %s", code, body)
	}
	h.Set("Idempotency-Key", "00000000000000000000000000000000")
	if code, _ := p.post(t, one.Envelope(), h); code != 400 {
		t.Fatalf("wrong Idempotency-Key: HTTP %d", code)
	}
}

func TestAnswerForAnotherRequestRefused(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c, ip := p.interposed(t)
	if _, err := c.Verify(context.Background(), p.request(t, credLost)); err != nil {
		t.Fatal(err)
	}
	stolen := ip.responses[0]
	ip.editResp = func([]byte) []byte { return stolen }
	a, err := c.Verify(context.Background(), p.request(t, credValid))
	unknown(t, a, err, uplink.ReasonNotBound)
}

func TestKioskIdentityChecks(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	// The client certificate names kiosk-test; the payload says kiosk-other.
	c := p.client(t, func(o *uplink.Opts) { o.KioskID = "kiosk-other" })
	a, err := c.Verify(context.Background(), p.request(t, credValid))
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "kiosk-mismatch" {
		t.Fatalf("code %q", e.Code)
	}
	// Signed by a device key INE does not know for this kiosk.
	stranger, _ := devicekey.Generate()
	c = p.client(t, func(o *uplink.Opts) { o.Signer = stranger })
	a, err = c.Verify(context.Background(), p.request(t, credValid))
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "bad-signature" {
		t.Fatalf("code %q", e.Code)
	}
	// A consent proof from a log signed by another key.
	log2, _ := memconsent.New(p.pki.KioskID, stranger)
	req := p.request(t, credValid)
	req.Consent, _ = log2.Consent(req.ID)
	a, err = p.client(t, nil).Verify(context.Background(), req)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "consent" {
		t.Fatalf("code %q", e.Code)
	}
	// A face without a live decision.
	req = p.request(t, credValid)
	req.Liveness.Decision = uplink.LivenessSpoof
	a, err = p.client(t, nil).Verify(context.Background(), req)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "liveness" {
		t.Fatalf("code %q", e.Code)
	}
	// A biometric the matcher cannot decode.
	req = p.request(t, credValid)
	req.Biometrics[1].Data = []byte("undecodable")
	a, err = p.client(t, nil).Verify(context.Background(), req)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "biometric" {
		t.Fatalf("code %q", e.Code)
	}
}

func TestReachabilityAndTLSFailures(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	var states []uplink.State
	var mu sync.Mutex
	onState := func(s uplink.State) { mu.Lock(); states = append(states, s); mu.Unlock() }

	c := p.client(t, func(o *uplink.Opts) { o.OnState = onState })
	if err := c.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.State()
	if !st.Reachable || st.ServerCertNotAfter.IsZero() || st.ClientCertNotAfter.IsZero() {
		t.Fatalf("state after probe %+v", st)
	}
	if !st.CertExpiresWithin(time.Now(), 48*time.Hour) || st.CertExpiresWithin(time.Now(), time.Hour) {
		t.Fatal("CertExpiresWithin wrong for a 24 h certificate")
	}

	// Nothing listens: connection refused, retried, unreachable.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "https://" + ln.Addr().String()
	ln.Close()
	c2 := p.client(t, func(o *uplink.Opts) { o.BaseURL, o.OnState = dead, onState })
	a, err := c2.Verify(context.Background(), p.request(t, credValid))
	unknown(t, a, err, uplink.ReasonUnreachable)
	if c2.Metrics().Attempts != 3 || c2.State().Reachable {
		t.Fatalf("attempts %d reachable %v", c2.Metrics().Attempts, c2.State().Reachable)
	}

	// A server certificate from another CA: TLS failure, not retried.
	other, _ := inesim.NewDevPKI("kiosk-test", uplink.KEMX25519, time.Hour)
	c3 := p.client(t, func(o *uplink.Opts) {
		o.TLS, _ = uplink.ClientTLS(other.CACert, p.pki.ClientCert, p.pki.ClientKey)
	})
	a, err = c3.Verify(context.Background(), p.request(t, credValid))
	unknown(t, a, err, uplink.ReasonTLS)
	if c3.Metrics().Attempts != 1 {
		t.Fatalf("certificate failure retried: %d attempts", c3.Metrics().Attempts)
	}

	// The caller cancels: canceled, not a denial.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, err = p.client(t, nil).Verify(ctx, p.request(t, credValid))
	unknown(t, a, err, uplink.ReasonCanceled)

	mu.Lock()
	defer mu.Unlock()
	if len(states) < 2 || !states[0].Reachable || states[len(states)-1].Reachable {
		t.Fatalf("state callbacks %+v", states)
	}
}

func (ip *interposer) CloseIdleConnections() {
	if c, ok := ip.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func TestSelfTest(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	for _, ch := range p.client(t, nil).SelfTest(context.Background()) {
		if ch.Name == "uplink.certs" {
			if ch.Err == nil {
				t.Error("24 h certificates passed the 30-day expiry check")
			}
			continue
		}
		if ch.Err != nil {
			t.Errorf("%s: %v", ch.Name, ch.Err)
		}
	}
	if st := p.svc.Stats(); st.Requests != 0 {
		t.Fatal("the self-test sent a verification")
	}
	p.srv.Close()
	for _, ch := range p.client(t, nil).SelfTest(context.Background()) {
		if ch.Name == "uplink.reachable" && ch.Err == nil {
			t.Error("reachable with the server stopped")
		}
	}
}

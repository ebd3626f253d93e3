package inesim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// Matcher scores a probe biometric against a reference, 0-100. Errors mean
// the probe could not be decoded or compared (answered as 422 biometric).
type Matcher interface {
	FaceSimilarity(probeJPEG, reference []byte) (int, error)
	FingerSimilarity(probe []byte, format uplink.Format, reference []byte) (int, error)
}

// Opts configures a Service.
type Opts struct {
	Keys     uplink.KeyRing               // INE HPKE private keys by key id
	Signer   devicekey.Signer             // INE's answer signing key
	Kiosks   map[string]ed25519.PublicKey // enrolled kiosks: id -> device key
	Registry *Registry
	Matcher  Matcher
	// RequireClientCert makes the kiosk id in the payload match the TLS
	// client certificate's Common Name (on by default).
	RequireClientCert bool
	ReplayWindow      time.Duration // createdAt skew accepted; nonces kept twice as long
	IdempotencyWindow time.Duration // identical retransmissions answered from memory
	MaxBody           int64
	Now               func() time.Time
}

// DefaultOpts returns the protocol defaults (5 min replay window, 2 min
// idempotency window, 16 MiB bodies, client certificate required).
func DefaultOpts() *Opts {
	return &Opts{RequireClientCert: true, ReplayWindow: 5 * time.Minute, IdempotencyWindow: 2 * time.Minute, MaxBody: 16 << 20, Now: time.Now}
}

// Stats counts what the service did; labels carry no personal data.
type Stats struct {
	Requests  uint64
	Answered  uint64
	Refused   uint64
	Duplicate uint64
	Faulted   uint64
}

// Service is the reference INE verification service.
type Service struct {
	opts     Opts
	guard    *guard
	consents *consentUses
	faults   atomic.Pointer[Faults]
	kiosks   atomic.Pointer[map[string]ed25519.PublicKey]
	seq      atomic.Uint64
	fired    atomic.Uint64

	mu         sync.Mutex
	stats      Stats
	lastAnswer []byte // for FaultReplayedAnswer only: a sealed answer
}

// New builds a service. Keys, Signer, Kiosks, Registry and Matcher are
// required.
func New(opts *Opts) (*Service, error) {
	if opts == nil || len(opts.Keys) == 0 || opts.Signer == nil || opts.Registry == nil || opts.Matcher == nil {
		return nil, errors.New("inesim: Keys, Signer, Registry and Matcher are required")
	}
	o := *opts
	d := DefaultOpts()
	if o.ReplayWindow <= 0 {
		o.ReplayWindow = d.ReplayWindow
	}
	if o.IdempotencyWindow <= 0 {
		o.IdempotencyWindow = d.IdempotencyWindow
	}
	if o.MaxBody <= 0 {
		o.MaxBody = d.MaxBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{opts: o, guard: newGuard(o.IdempotencyWindow, o.ReplayWindow), consents: newConsentUses()}
	s.faults.Store(&Faults{})
	kiosks := maps.Clone(o.Kiosks)
	s.kiosks.Store(&kiosks)
	return s, nil
}

// SetFaults replaces the fault configuration (safe while serving).
// The fault counter restarts, so Every counts from the next request.
func (s *Service) SetFaults(f Faults) {
	s.fired.Store(0)
	s.faults.Store(&f)
}

// Stats returns a snapshot of the counters.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *Service) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// Handler serves POST /v2/verifications and GET /v2/ping.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/verifications", s.serveVerify)
	mux.HandleFunc("GET /v2/ping", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

// ServerTLS builds the server's TLS configuration: TLS 1.3 only, client
// certificates required and verified against clientCAPEM.
func ServerTLS(certPEM, keyPEM, clientCAPEM []byte) (*tls.Config, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("inesim: server certificate: %w", err)
	}
	pool, err := certPool(clientCAPEM)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}, nil
}

// fault returns the fault to inject into this request, if any.
func (s *Service) fault() (Faults, bool) {
	f := *s.faults.Load()
	if f.Mode == FaultNone || f.Every <= 0 {
		return f, false
	}
	return f, (s.fired.Add(1)-1)%uint64(f.Every) == 0
}

func (s *Service) transactionID() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("SIM-%08d-%s", s.seq.Add(1), hex.EncodeToString(b[:]))
}

func wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Enroll registers (or replaces) a kiosk's device key while serving.
func (s *Service) Enroll(kioskID string, pub ed25519.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kiosks := maps.Clone(*s.kiosks.Load())
	if kiosks == nil {
		kiosks = map[string]ed25519.PublicKey{}
	}
	kiosks[kioskID] = pub
	s.kiosks.Store(&kiosks)
}

func (s *Service) kioskKey(id string) (ed25519.PublicKey, bool) {
	k, ok := (*s.kiosks.Load())[id]
	return k, ok
}

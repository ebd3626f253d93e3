package uplink

import (
	"context"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Opts configures a Client. The daemon fills it from the configuration file.
type Opts struct {
	BaseURL        string            // INE service, https://host[:port][/prefix]
	KioskID        string            // this kiosk's id (= client certificate CN)
	KeyID          string            // INE HPKE key id; "" computes it from INEKey
	INEKey         hpke.PublicKey    // INE's published HPKE key
	INESigningKey  ed25519.PublicKey // verifies INE's answers
	Signer         devicekey.Signer  // the device key
	Alloc          *secmem.Allocator // locked memory for plaintexts and keys
	TLS            *tls.Config       // CA and client certificate (see ClientTLS); TLS 1.3 is enforced
	Deadline       time.Duration     // whole verification, retries included
	AttemptTimeout time.Duration     // one HTTP exchange
	MaxAttempts    int
	Backoff        time.Duration // first retry delay, doubled each time
	Now            func() time.Time
	// OnState, if set, is called when reachability or a certificate expiry
	// changes. It must not block; it is called outside the client's locks.
	OnState func(State)
	// Transport overrides the HTTP transport (tests). nil builds one from TLS.
	Transport http.RoundTripper
}

// DefaultOpts returns the defaults: 25 s per verification, 10 s per attempt,
// 3 attempts, 500 ms first backoff.
func DefaultOpts() *Opts {
	return &Opts{Deadline: 25 * time.Second, AttemptTimeout: 10 * time.Second, MaxAttempts: 3, Backoff: 500 * time.Millisecond}
}

// Client is the kiosk side of the protocol. It is safe for concurrent use.
type Client struct {
	opts     Opts
	endpoint string
	ping     string
	http     *http.Client
	sealer   *Sealer

	mu      sync.Mutex
	state   State
	metrics Metrics
}

// New checks opts and builds a client.
func New(opts *Opts) (*Client, error) {
	o := *DefaultOpts()
	if opts != nil {
		o = mergeOpts(o, *opts)
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	base := strings.TrimRight(o.BaseURL, "/")
	c := &Client{opts: o, endpoint: base + "/v2/verifications", ping: base + "/v2/ping"}
	c.http = &http.Client{Transport: o.transport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c.sealer = &Sealer{KioskID: o.KioskID, KeyID: o.KeyID, INEKey: o.INEKey, Signer: o.Signer, Alloc: o.Alloc, Now: o.Now}
	c.state.ClientCertNotAfter = clientCertNotAfter(o.TLS)
	c.metrics = newMetrics()
	return c, nil
}

func mergeOpts(d, o Opts) Opts {
	if o.Deadline <= 0 {
		o.Deadline = d.Deadline
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = d.AttemptTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = d.MaxAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = d.Backoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (o *Opts) check() error {
	u, err := url.Parse(o.BaseURL)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "":
		return errors.New("uplink: BaseURL must be an https:// URL")
	case o.KioskID == "" || len(o.KioskID) > 64:
		return errors.New("uplink: KioskID must be 1-64 bytes")
	case o.INEKey == nil || !allowedKEM(o.INEKey.KEM().ID()):
		return fmt.Errorf("uplink: INEKey must be a %s or %s HPKE key", KEMMLKEM768X25519, KEMX25519)
	case len(o.INESigningKey) != ed25519.PublicKeySize:
		return errors.New("uplink: INESigningKey must be an Ed25519 public key")
	case o.Signer == nil || o.Alloc == nil:
		return errors.New("uplink: Signer and Alloc are required")
	case o.Transport == nil && (o.TLS == nil || o.TLS.RootCAs == nil || len(o.TLS.Certificates) == 0):
		return errors.New("uplink: TLS needs RootCAs (INE's CA) and a client certificate")
	}
	if o.KeyID == "" {
		o.KeyID = KeyID(o.INEKey)
	} else if o.KeyID != KeyID(o.INEKey) {
		return errors.New("uplink: KeyID does not match INEKey; check the configured INE key file")
	}
	return nil
}

func (o *Opts) transport() http.RoundTripper {
	if o.Transport != nil {
		return o.Transport
	}
	cfg := o.TLS.Clone()
	cfg.MinVersion = tls.VersionTLS13
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{DialContext: d.DialContext, TLSClientConfig: cfg, TLSHandshakeTimeout: 5 * time.Second,
		ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 2, IdleConnTimeout: 90 * time.Second, ResponseHeaderTimeout: o.AttemptTimeout}
}

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Verify runs one verification. It always returns an Answer; when no
// trustworthy answer was obtained the Answer is vocab.StatusUnknown with a Reason
// and the error is an *Error. Biometric bytes in req are not retained; the
// caller still owns (and must release) them.
func (c *Client) Verify(ctx context.Context, req *Request) (Answer, error) {
	start := c.opts.Now()
	a, err := c.verify(ctx, req)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = failure(ReasonLocal, err)
		}
		a, err = Answer{Status: vocab.StatusUnknown, Reason: e.Reason, FaceSimilarity: -1, FingerSimilarity: -1}, e
	}
	c.record(a, c.opts.Now().Sub(start))
	return a, err
}

func (c *Client) verify(ctx context.Context, req *Request) (Answer, error) {
	s, err := c.sealer.Seal(req)
	if err != nil {
		if errors.Is(err, ErrInvalidRequest) {
			return Answer{}, failure(ReasonInvalidRequest, err)
		}
		return Answer{}, failure(ReasonLocal, err)
	}
	defer s.Release()
	ctx, cancel := context.WithTimeout(ctx, c.opts.Deadline)
	defer cancel()
	body, err := c.exchange(ctx, s)
	if err != nil {
		return Answer{}, err
	}
	a, err := s.Open(body, c.opts.INESigningKey)
	if err != nil {
		return Answer{}, answerFailure(err)
	}
	return a, nil
}

// exchange posts the envelope, retrying per the protocol's rules, and
// returns the 200 body.
func (c *Client) exchange(ctx context.Context, s *Sealed) ([]byte, error) {
	var last *attemptError
	delay := c.opts.Backoff
	for attempt := 1; attempt <= c.opts.MaxAttempts; attempt++ {
		if attempt > 1 {
			c.count(func(m *Metrics) { m.Retries++ })
			if !wait(ctx, delay) {
				break
			}
			delay *= 2
		}
		body, e := c.attempt(ctx, s)
		if e == nil {
			return body, nil
		}
		last = e
		if !e.retry {
			break
		}
	}
	e := last.err
	if ctx.Err() != nil && e.Reason != ReasonCanceled {
		if errors.Is(ctx.Err(), context.Canceled) {
			e.Reason = ReasonCanceled
		} else {
			e.Reason = ReasonTimeout
		}
	}
	return nil, e
}

func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// attemptError is an *Error plus whether resending is allowed.
type attemptError struct {
	err   *Error
	retry bool
}

func (c *Client) attempt(ctx context.Context, s *Sealed) ([]byte, *attemptError) {
	c.count(func(m *Metrics) { m.Attempts++ })
	actx, cancel := context.WithTimeout(ctx, c.opts.AttemptTimeout)
	defer cancel()
	env, n := s.body()
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, c.endpoint, env)
	if err != nil {
		return nil, &attemptError{err: failure(ReasonLocal, err)}
	}
	hreq.ContentLength = n
	hreq.Header.Set("Content-Type", ContentTypeRequest)
	hreq.Header.Set("Idempotency-Key", s.RequestID)
	// net/http treats a request with an Idempotency-Key and a rewindable
	// body as replayable and resends it on its own when a reused
	// connection fails, behind this loop's back (4 POSTs against 3
	// attempts). Without GetBody it cannot rewind the body, so it resends
	// only what never reached the server (HTTP/2 REFUSED_STREAM, GOAWAY,
	// nothing written); every other resend is an attempt counted here.
	hreq.GetBody = nil
	resp, err := c.http.Do(hreq)
	if err != nil {
		r, retry := classifyTransport(ctx, err)
		// No answer from INE (refused, TLS, or no answer in time) makes
		// the link unreachable; a caller giving up says nothing about INE.
		if r != ReasonCanceled {
			c.setReachable(false, r, nil)
		}
		return nil, &attemptError{err: failure(r, err), retry: retry}
	}
	defer resp.Body.Close()
	c.setReachable(true, ReasonNone, resp.TLS)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		r, retry := classifyTransport(ctx, err)
		return nil, &attemptError{err: failure(r, err), retry: retry}
	}
	return httpOutcome(resp, body)
}

// Content types of the protocol.
const (
	ContentTypeRequest = "application/vnd.ventanilla.verify.v2"
	ContentTypeAnswer  = "application/vnd.ventanilla.answer.v2"
	maxResponse        = 64 << 10
)

// ErrorBody is the JSON body of a non-200 response.
type ErrorBody struct {
	Error string `json:"error"`
	Retry bool   `json:"retry"`
}

func httpOutcome(resp *http.Response, body []byte) ([]byte, *attemptError) {
	if resp.StatusCode == http.StatusOK {
		if len(body) > maxResponse || resp.Header.Get("Content-Type") != ContentTypeAnswer {
			return nil, &attemptError{err: failure(ReasonBadAnswer, errors.New("unexpected answer type or size"))}
		}
		return body, nil
	}
	var eb ErrorBody
	if json.Unmarshal(body, &eb) != nil || !validCode(eb.Error) {
		eb.Error = ""
	}
	e := &Error{Reason: ReasonRefused, Code: eb.Error, HTTPStatus: resp.StatusCode, Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
	retry := false
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Reason, retry = ReasonServerError, true
	case resp.StatusCode >= 500:
		e.Reason, retry = ReasonServerError, true
	}
	return nil, &attemptError{err: e, retry: retry}
}

// validCode keeps only short lower-case codes from the (unauthenticated)
// error body, so nothing odd reaches logs or metric labels.
func validCode(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// Probe checks reachability with GET /v2/ping and updates State.
func (c *Client) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.AttemptTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, c.ping, nil)
	if err != nil {
		return failure(ReasonLocal, err)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		r, _ := classifyTransport(context.Background(), err)
		c.setReachable(false, r, nil)
		return failure(r, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	c.setReachable(true, ReasonNone, resp.TLS)
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return &Error{Reason: ReasonServerError, HTTPStatus: resp.StatusCode, Err: fmt.Errorf("ping: HTTP %d", resp.StatusCode)}
	}
	return nil
}

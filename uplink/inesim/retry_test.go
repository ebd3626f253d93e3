package inesim_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
)

// resetServer answers GET /v2/ping and resets the TCP connection (RST)
// after reading each POST in full, counting the POSTs it saw.
func resetServer(t *testing.T, pki *inesim.DevPKI) (*httptest.Server, *atomic.Int64) {
	var posts atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		posts.Add(1)
		io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(*tls.Conn).NetConn().(*net.TCPConn); ok {
			tc.SetLinger(0) // close sends RST
		}
		conn.Close()
	}))
	cfg, err := inesim.ServerTLS(pki.ServerCert, pki.ServerKey, pki.CACert)
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &posts
}

// TestRetriesCountedExactly is issue 17, finding 6: net/http's Transport
// silently resends a POST carrying an Idempotency-Key on a reused
// connection that fails, so INE saw 4 POSTs against a 3-attempt limit.
func TestRetriesCountedExactly(t *testing.T) {
	pki := sharedPKI(t)
	srv, posts := resetServer(t, pki)
	p := newPair(t, pki)
	c := p.client(t, func(o *uplink.Opts) { o.BaseURL = srv.URL })
	if err := c.Probe(context.Background()); err != nil { // leaves a kept-alive connection to reuse
		t.Fatal(err)
	}
	a, err := c.Verify(context.Background(), p.request(t, credValid))
	if a.Status != uplink.StatusUnknown || err == nil {
		t.Fatalf("answer %v, %v", a.Status, err)
	}
	m := c.Metrics()
	if got := posts.Load(); got != 3 || m.Attempts != 3 {
		t.Fatalf("server saw %d POSTs, client counted %d attempts; want 3 and 3 (MaxAttempts)", got, m.Attempts)
	}
}

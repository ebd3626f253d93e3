package inesim_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// resetServer answers GET /v2/ping and resets the TCP connection (RST)
// after reading each POST in full, counting the POSTs it saw. With h2 it
// speaks HTTP/2 (as inesim does) and resets the connection carrying the
// stream.
func resetServer(t *testing.T, pki *inesim.DevPKI, h2 bool) (*httptest.Server, *atomic.Int64) {
	var posts atomic.Int64
	var mu sync.Mutex
	conns := map[string]net.Conn{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		posts.Add(1)
		if (r.ProtoMajor == 2) != h2 {
			t.Errorf("POST over %s", r.Proto)
		}
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		conn := conns[r.RemoteAddr]
		mu.Unlock()
		if tc, ok := conn.(*tls.Conn).NetConn().(*net.TCPConn); ok {
			tc.SetLinger(0) // close sends RST
		}
		conn.Close()
	}))
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			mu.Lock()
			conns[c.RemoteAddr().String()] = c
			mu.Unlock()
		}
	}
	cfg, err := inesim.ServerTLS(pki.ServerCert, pki.ServerKey, pki.CACert)
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS, srv.EnableHTTP2 = cfg, h2
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &posts
}

// TestRetriesCountedExactly is issue 17, finding 6: net/http's Transport
// silently resends a POST carrying an Idempotency-Key on a reused
// connection that fails, so INE saw 4 POSTs against a 3-attempt limit.
func TestRetriesCountedExactly(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "http1", true: "http2"}[h2], func(t *testing.T) {
			pki := sharedPKI(t)
			srv, posts := resetServer(t, pki, h2)
			p := newPair(t, pki)
			c := p.client(t, func(o *uplink.Opts) { o.BaseURL = srv.URL })
			if err := c.Probe(context.Background()); err != nil { // leaves a kept-alive connection to reuse
				t.Fatal(err)
			}
			a, err := c.Verify(context.Background(), p.request(t, credValid))
			if a.Status != vocab.StatusUnknown || err == nil {
				t.Fatalf("answer %v, %v", a.Status, err)
			}
			m := c.Metrics()
			if got := posts.Load(); got != 3 || m.Attempts != 3 {
				t.Fatalf("server saw %d POSTs, client counted %d attempts; want 3 and 3 (MaxAttempts)", got, m.Attempts)
			}
		})
	}
}

package inesim_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/uplink"
)

// TestUnansweredIsUnreachable: a server that accepts connections and never
// answers (INE timing out) leaves the link unreachable, so the daemon's
// uplink.unreachable condition can become visible. Before, a timeout
// counted as reachable and the kiosk stayed "ready".
func TestUnansweredIsUnreachable(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := make(chan net.Conn, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			held <- conn // accepted, never answered
		}
	}()
	defer func() {
		for len(held) > 0 {
			(<-held).Close()
		}
	}()
	c := p.client(t, func(o *uplink.Opts) {
		o.BaseURL = "https://" + ln.Addr().String()
		o.AttemptTimeout, o.Deadline, o.MaxAttempts, o.Backoff = 200*time.Millisecond, 2*time.Second, 2, 10*time.Millisecond
	})
	a, err := c.Verify(context.Background(), p.request(t, credValid))
	unknown(t, a, err, uplink.ReasonTimeout)
	if st := c.State(); st.Reachable || st.LastReason != uplink.ReasonTimeout {
		t.Fatalf("after INE did not answer: reachable %v, reason %q; want unreachable, timeout", st.Reachable, st.LastReason)
	}
}

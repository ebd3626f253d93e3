package kioskapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Serving limits (Opts may lower them for tests).
const (
	defaultMaxConns    = 64
	defaultBodyTimeout = 10 * time.Second
	headerTimeout      = 5 * time.Second
	idleTimeout        = 30 * time.Second
)

// HTTPServer returns the http.Server to serve Handler on: header, body and
// idle timeouts, small headers, and the peer's identity in each request's
// context. Serve it on Listen's listener (the connection cap).
func (s *Server) HTTPServer() *http.Server {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: headerTimeout,
		IdleTimeout: idleTimeout, MaxHeaderBytes: 16 << 10, ConnContext: ConnContext}
	srv.RegisterOnShutdown(s.Close)
	return srv
}

// Listen listens on addr (a loopback address) with the connection cap.
func (s *Server) Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return s.Limit(ln), nil
}

// Limit caps ln at Opts.MaxConns open connections: one more is closed as
// soon as it is accepted, so a flood of idle connections holds nothing.
func (s *Server) Limit(ln net.Listener) net.Listener {
	return &capListener{Listener: ln, max: s.o.MaxConns}
}

type capListener struct {
	net.Listener
	mu   sync.Mutex
	open int
	max  int
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		full := l.open >= l.max
		if !full {
			l.open++
		}
		l.mu.Unlock()
		if full {
			_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_, _ = c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
			c.Close()
			continue
		}
		return &capConn{Conn: c, l: l}, nil
	}
}

type capConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

func (c *capConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

type clientKey struct{}

// ConnContext records who is on the other end of c: on loopback the
// address says nothing (every local process is 127.0.0.1), so the client
// is the uid owning the peer's socket, read from /proc/self/net/tcp{,6}
// ("uid:1000"; /proc/self/net, since the unit's ProcSubset=pid hides
// /proc/net); when that cannot be read, the peer address without port,
// which makes the lockout kiosk-wide again.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, clientKey{}, peerName(c))
}

// ClientOf returns the client name ConnContext recorded ("" when none).
func ClientOf(r *http.Request) string {
	s, _ := r.Context().Value(clientKey{}).(string)
	return s
}

func peerName(c net.Conn) string {
	la, lok := c.LocalAddr().(*net.TCPAddr)
	ra, rok := c.RemoteAddr().(*net.TCPAddr)
	if !lok || !rok {
		return "addr:" + c.RemoteAddr().String()
	}
	if uid, ok := socketUID(ra, la); ok {
		return "uid:" + uid
	}
	return "ip:" + ra.IP.String()
}

// socketUID finds the socket whose local end is peer and remote end is us
// (the client's side of the connection) and returns its owner's uid.
func socketUID(peer, us *net.TCPAddr) (string, bool) {
	for _, f := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		if uid, ok := scanSockets(f, peer, us); ok {
			return uid, true
		}
	}
	return "", false
}

func scanSockets(file string, peer, us *net.TCPAddr) (string, bool) {
	f, err := os.Open(file)
	if err != nil {
		return "", false
	}
	defer f.Close()
	v6 := strings.HasSuffix(file, "6")
	want := procAddr(peer, v6) + " " + procAddr(us, v6)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 7 && fields[1]+" "+fields[2] == want {
			return fields[7], true
		}
	}
	return "", false
}

// procAddr formats a in /proc/net/tcp's notation: the address as the
// kernel's 32-bit words in host (little-endian) order, then the port.
func procAddr(a *net.TCPAddr, v6 bool) string {
	ip := a.IP.To4()
	if v6 {
		ip = a.IP.To16()
	}
	if ip == nil {
		return "-"
	}
	var b strings.Builder
	for i := 0; i < len(ip); i += 4 {
		fmt.Fprintf(&b, "%02X%02X%02X%02X", ip[i+3], ip[i+2], ip[i+1], ip[i])
	}
	fmt.Fprintf(&b, ":%04X", a.Port)
	return b.String()
}

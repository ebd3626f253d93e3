package kioskapi

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"time"
)

// Requests that carry a secret (the PIN, the credential) are read off the
// connection itself: net/http would leave the body in its connection read
// buffer (a pooled bufio.Reader that is never wiped) and in io.ReadAll's
// growing copies. secretExchange hijacks the connection, reads the body
// through that buffer wiping each piece as it is copied out, answers on
// the connection with Connection: close, and closes it.
type secretExchange struct {
	conn   net.Conn
	br     *bufio.Reader
	header http.Header
	code   int
	out    bytes.Buffer
	body   []byte              // the caller wipes it
	w      http.ResponseWriter // when the connection could not be hijacked
}

var errLengthRequired = &bodyError{http.StatusLengthRequired, "length_required", "send Content-Length"}

// takeSecret hijacks r's connection and reads its body (at most limit
// bytes, within Opts.BodyTimeout). A refusal before the hijack is answered
// on w; afterwards the exchange is the ResponseWriter, and finish sends
// the answer.
func (s *Server) takeSecret(w http.ResponseWriter, r *http.Request, limit int64) (*secretExchange, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, errContentType
	}
	switch {
	case r.ContentLength < 0 || len(r.TransferEncoding) > 0:
		return nil, errLengthRequired
	case r.ContentLength > limit:
		return nil, errTooLarge
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if errors.Is(err, http.ErrNotSupported) { // not a network connection (a recorder in tests): plain reading
		x := &secretExchange{w: w, header: w.Header(), code: http.StatusOK}
		x.body, err = readBody(w, r, limit)
		return x, err
	}
	if err != nil {
		return nil, err
	}
	x := &secretExchange{conn: conn, br: brw.Reader, header: w.Header().Clone(), code: http.StatusOK}
	_ = conn.SetDeadline(time.Now().Add(s.o.BodyTimeout))
	x.body = make([]byte, r.ContentLength)
	if err := x.read(); err != nil {
		clear(x.body)
		x.body = nil
		return x, &bodyError{http.StatusBadRequest, "bad_body", "could not read the body"}
	}
	return x, nil
}

// read fills body through the connection's buffer, wiping the buffer's
// bytes as they are copied (Peek returns the buffer itself).
func (x *secretExchange) read() error {
	for got := 0; got < len(x.body); {
		if x.br.Buffered() == 0 {
			if _, err := x.br.Peek(1); err != nil {
				return err
			}
		}
		k := min(x.br.Buffered(), len(x.body)-got)
		p, _ := x.br.Peek(k)
		copy(x.body[got:], p)
		clear(p)
		_, _ = x.br.Discard(k)
		got += k
	}
	return nil
}

func (x *secretExchange) Header() http.Header         { return x.header }
func (x *secretExchange) WriteHeader(code int)        { x.code = code }
func (x *secretExchange) Write(b []byte) (int, error) { return x.out.Write(b) }

// finish sends the answer and closes the connection.
func (x *secretExchange) finish() {
	if x.conn == nil {
		x.w.WriteHeader(x.code)
		_, _ = x.w.Write(x.out.Bytes())
		return
	}
	defer x.conn.Close()
	x.header.Set("Connection", "close")
	x.header.Set("Content-Length", fmt.Sprint(x.out.Len()))
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", x.code, http.StatusText(x.code))
	_ = x.header.Write(&b)
	b.WriteString("\r\n")
	b.Write(x.out.Bytes())
	_, _ = x.conn.Write(b.Bytes())
}

package kioskapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Body size limits. A signature of MaxPoints points as [x,y,t,p] arrays
// fits in 2 MiB; everything else is small.
const (
	maxBody          = 8 << 10
	maxSignatureBody = 2 << 20
)

// bodyError is a request body problem with its HTTP status.
type bodyError struct {
	status int
	code   string
	msg    string
}

func (e *bodyError) Error() string { return e.msg }

var (
	errTooLarge    = &bodyError{http.StatusRequestEntityTooLarge, "too_large", "request body too large"}
	errContentType = &bodyError{http.StatusUnsupportedMediaType, "bad_content_type", "send Content-Type: application/json"}
)

func badJSON(err error) *bodyError {
	return &bodyError{http.StatusBadRequest, "bad_json", "malformed JSON body: " + jsonProblem(err)}
}

// jsonProblem describes a decoding error without echoing input values.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (want %s)", typ.Field, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of body"
	case errors.Is(err, errTrailing):
		return "data after the JSON value"
	case errors.Is(err, errEscape):
		return "escapes are not allowed in credential values"
	case errors.Is(err, errNotString):
		return "credential values and PINs must be strings"
	case errors.Is(err, errDuplicate):
		return "a key appears twice"
	case errors.Is(err, errKeyEscape):
		return "escapes are not allowed in keys"
	case errors.Is(err, errDepth):
		return "nested too deep"
	case errors.Is(err, errPoint):
		return "a signature point is [x, y, t, pressure]: four non-negative integers"
	}
	if msg := err.Error(); len(msg) < 80 && bytes.HasPrefix([]byte(msg), []byte("json: unknown field")) {
		return msg[len("json: "):]
	}
	return "invalid value"
}

var (
	errTrailing  = errors.New("trailing data")
	errEscape    = errors.New("escape in secret value")
	errNotString = errors.New("secret value is not a string")
	errPoint     = errors.New("bad point")
)

// readBody reads at most limit bytes of a JSON body. The caller wipes the
// returned slice when the body may hold personal data.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, errContentType
	}
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil { // the body is in: the connection may idle again under the server's timeouts
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		clear(body)
		return nil, errTooLarge
	}
	if err != nil {
		return nil, &bodyError{http.StatusBadRequest, "bad_body", "could not read the body"}
	}
	return body, nil
}

// decodeStrict decodes exactly one JSON value into v (a pointer): no
// unknown fields, no duplicate keys (case-insensitively), no trailing
// data, no extra or missing array elements (fixed-size values check
// their own length). The real bytes are decoded only by json.Unmarshal,
// which works in place; the checks that need a Decoder run on a redacted
// copy, so no buffer that cannot be wiped ever holds a value.
func decodeStrict(data []byte, v any) error {
	if !json.Valid(data) {
		var x any
		err := json.Unmarshal(redacted(data), &x)
		if err == nil {
			err = errTrailing
		}
		return badJSON(err)
	}
	if err := checkShape(data); err != nil {
		return badJSON(err)
	}
	shadow := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	dec := json.NewDecoder(bytes.NewReader(redacted(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(shadow); err != nil {
		return badJSON(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return badJSON(err)
	}
	return nil
}

// secretValue is a credential value decoded straight into bytes (no Go
// string is made). Only plain JSON strings without escapes are accepted;
// credential fields are letters and digits.
type secretValue []byte

func (v *secretValue) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errNotString
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		return errEscape
	}
	*v = bytes.Clone(inner)
	return nil
}

type loginBody struct {
	Operator string      `json:"operator"`
	PIN      secretValue `json:"pin"`
}

type abortBody struct {
	Reason string `json:"reason"`
}

type noticeBody struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Lang    string `json:"lang"`
	SHA256  string `json:"sha256"` // hex
}

type credentialBody struct {
	Model  string                 `json:"model"`
	Fields map[string]secretValue `json:"fields"`
}

func (b *credentialBody) values() map[string][]byte {
	m := make(map[string][]byte, len(b.Fields))
	for k, v := range b.Fields {
		m[k] = v
	}
	return m
}

func (b *credentialBody) wipe() {
	for _, v := range b.Fields {
		clear(v)
	}
}

// typedBody is a consent typed on the keyboard: the acceptance phrase.
type typedBody struct {
	Phrase string `json:"phrase"`
}

// efirmaBody is a consent signed with the citizen's e.firma: the .cer,
// the encrypted .key and the password, each base64 (so encoding/json
// decodes them into byte slices that are wiped, never into strings).
type efirmaBody struct {
	Cer      []byte `json:"cer"`
	Key      []byte `json:"key"`
	Password []byte `json:"password"`
}

func (b *efirmaBody) files() *session.EFirmaFiles {
	return &session.EFirmaFiles{Cert: b.Cer, Key: b.Key, Password: b.Password}
}

type fingerBody struct {
	Position int `json:"position"`
}

// signatureBody is the consent signature: strokes of [x, y, t, pressure]
// integer points (pixels, ms since the first point, 0-65535).
type signatureBody struct {
	Width   uint16    `json:"width"`
	Height  uint16    `json:"height"`
	Strokes [][]point `json:"strokes"`
}

// point is [x, y, t, pressure]: exactly four non-negative integers
// (encoding/json would drop extra elements of a [4]uint32 and zero
// missing ones).
type point [4]uint32

func (p *point) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return errPoint
	}
	parts := bytes.Split(b[1:len(b)-1], []byte(","))
	if len(parts) != 4 {
		return errPoint
	}
	for i, part := range parts {
		n, err := strconv.ParseUint(string(bytes.TrimSpace(part)), 10, 32)
		if err != nil {
			return errPoint
		}
		p[i] = uint32(n)
	}
	return nil
}

// signature converts to the engine's type, checking ranges; it wipes the
// decoded points as it goes.
func (b *signatureBody) signature() (*session.Signature, error) {
	defer b.wipe()
	if len(b.Strokes) > vocab.MaxStrokes {
		return nil, session.ErrBadSignature
	}
	sig := &session.Signature{Width: b.Width, Height: b.Height, Strokes: make([]vocab.Stroke, len(b.Strokes))}
	total := 0
	for i, st := range b.Strokes {
		if total += len(st); total > vocab.MaxPoints {
			sig.Wipe()
			return nil, session.ErrBadSignature
		}
		sig.Strokes[i] = make(vocab.Stroke, len(st))
		for j, p := range st {
			if p[0] > 0xffff || p[1] > 0xffff || p[3] > 0xffff {
				sig.Wipe()
				return nil, session.ErrBadSignature
			}
			sig.Strokes[i][j] = session.Point{X: uint16(p[0]), Y: uint16(p[1]), T: p[2], Pressure: uint16(p[3])}
		}
	}
	return sig, nil
}

func (b *signatureBody) wipe() {
	for _, st := range b.Strokes {
		clear(st)
	}
}

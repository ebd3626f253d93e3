package operator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommended option (64 MiB,
// 3 passes) with 2 lanes for the kiosk's small CPU.
var DefaultParams = Params{Memory: 64 << 10, Time: 3, Threads: 2}

// Limits a hash string may ask for (a config file is outside input).
const (
	maxMemory  = 1 << 20 // KiB = 1 GiB
	maxTime    = 16
	maxThreads = 16
	minSalt    = 8
	maxSalt    = 64
	minKey     = 16
	maxKey     = 64
	maxHashLen = 256
)

// ErrHashFormat means a PIN hash is not an argon2id PHC string; generate
// one with `ventanillactl kiosk hash-pin`.
var ErrHashFormat = errors.New("operator: PIN hash must be $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> (ventanillactl kiosk hash-pin)")

// hash is a parsed PHC string.
type hash struct {
	p    Params
	salt []byte
	key  []byte
}

var b64 = base64.RawStdEncoding

// parseHash reads "$argon2id$v=19$m=65536,t=3,p=2$salt$key".
func parseHash(s string) (*hash, error) {
	if len(s) > maxHashLen {
		return nil, ErrHashFormat
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return nil, ErrHashFormat
	}
	p, err := parseParams(parts[3])
	if err != nil {
		return nil, err
	}
	salt, err1 := b64.Strict().DecodeString(parts[4])
	key, err2 := b64.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < minSalt || len(salt) > maxSalt || len(key) < minKey || len(key) > maxKey {
		return nil, ErrHashFormat
	}
	return &hash{p: p, salt: salt, key: key}, nil
}

func parseParams(s string) (Params, error) {
	kv := strings.Split(s, ",")
	if len(kv) != 3 {
		return Params{}, ErrHashFormat
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
			return Params{}, ErrHashFormat
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, ErrHashFormat
		}
		vals[i] = n
	}
	p := Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(min(vals[2], 255))}
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || vals[2] > maxThreads ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return Params{}, fmt.Errorf("%w (parameters out of range)", ErrHashFormat)
	}
	return p, nil
}

func (h *hash) String() string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", h.p.Memory, h.p.Time, h.p.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// matches runs argon2id on pin and compares in constant time.
func (h *hash) matches(pin []byte) bool {
	got := argon2.IDKey(pin, h.salt, h.p.Time, h.p.Memory, h.p.Threads, uint32(len(h.key)))
	defer clear(got)
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// HashPIN returns the PHC string of pin with a fresh random salt. PINs are
// 6 to 12 digits.
func HashPIN(pin string, p Params) (string, error) {
	if err := checkPIN(pin); err != nil {
		return "", err
	}
	h := &hash{p: p, salt: make([]byte, 16)}
	if _, err := rand.Read(h.salt); err != nil {
		return "", fmt.Errorf("operator: salt: %w", err)
	}
	if _, err := parseParams(fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)); err != nil {
		return "", err
	}
	h.key = argon2.IDKey([]byte(pin), h.salt, p.Time, p.Memory, p.Threads, 32)
	return h.String(), nil
}

// ErrPINShape means a PIN to be hashed is not 6 to 12 digits.
var ErrPINShape = errors.New("operator: a PIN is 6 to 12 digits")

func checkPIN(pin string) error {
	if len(pin) < 6 || len(pin) > 12 {
		return ErrPINShape
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return ErrPINShape
		}
	}
	return nil
}

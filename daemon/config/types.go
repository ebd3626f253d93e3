package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2/unstable"
)

// Duration is a time.Duration written as a Go duration string ("5s",
// "1m30s"). It is a struct so that a bare TOML integer (which would silently
// mean nanoseconds) is a type error.
type Duration struct{ d time.Duration }

// Dur makes a Duration.
func Dur(d time.Duration) Duration { return Duration{d} }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration such as \"5s\" or \"1m30s\": %w", err)
	}
	d.d = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.d.String()), nil }

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return d.d }

// ByteSize is a size in bytes written as a string with a binary unit
// ("512MiB", "2GiB") or as plain bytes ("1048576").
type ByteSize struct{ n int64 }

// Bytes makes a ByteSize.
func Bytes(n int64) ByteSize { return ByteSize{n} }

// N returns the size in bytes.
func (s ByteSize) N() int64 { return s.n }

// Largest unit first: MarshalText picks the first that divides evenly.
var byteUnits = []struct {
	suffix string
	mult   int64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *ByteSize) UnmarshalText(b []byte) error {
	text := strings.TrimSpace(string(b))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(text, u.suffix) {
			text, mult = strings.TrimSpace(strings.TrimSuffix(text, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a size such as \"512MiB\" or \"2GiB\", got %q", string(b))
	}
	s.n = n * mult
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (s ByteSize) MarshalText() ([]byte, error) {
	for _, u := range byteUnits {
		if u.mult > 1 && s.n%u.mult == 0 && s.n >= u.mult {
			return []byte(fmt.Sprintf("%d%s", s.n/u.mult, u.suffix)), nil
		}
	}
	return []byte(strconv.FormatInt(s.n, 10)), nil
}

// FileMode is a Unix permission written as an octal string ("0660"); a bare
// integer is refused because 660 and 0o660 are easy to confuse.
type FileMode struct{ m uint32 }

// Mode makes a FileMode.
func Mode(m uint32) FileMode { return FileMode{m} }

// Perm returns the permission bits.
func (m FileMode) Perm() uint32 { return m.m }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *FileMode) UnmarshalText(b []byte) error {
	v, err := strconv.ParseUint(string(b), 8, 32)
	if err != nil || v > 0o777 {
		return fmt.Errorf("want an octal permission such as \"0660\", got %q", string(b))
	}
	m.m = uint32(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (m FileMode) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("%04o", m.m)), nil }

// tomlString accepts only a TOML string value (raw bytes as they appear in
// the file) and returns its contents; anything else is a positioned error,
// so a bare integer where a duration belongs names its line.
func tomlString(raw []byte, want string) (string, error) {
	if len(raw) >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] {
		s := string(raw[1 : len(raw)-1])
		if raw[0] == '"' && strings.ContainsRune(s, '\\') {
			return "", unstable.NewParserError(raw, "escapes are not allowed here; want %s", want)
		}
		return s, nil
	}
	return "", unstable.NewParserError(raw, "wrong type: want a quoted string such as %s (see docs/configuration.md)", want)
}

func positioned(raw []byte, err error) error {
	if err == nil {
		return nil
	}
	return unstable.NewParserError(raw, "%s", err)
}

// UnmarshalTOML implements unstable.Unmarshaler.
func (d *Duration) UnmarshalTOML(raw []byte) error {
	s, err := tomlString(raw, `"5s"`)
	if err != nil {
		return err
	}
	return positioned(raw, d.UnmarshalText([]byte(s)))
}

// UnmarshalTOML implements unstable.Unmarshaler.
func (s *ByteSize) UnmarshalTOML(raw []byte) error {
	str, err := tomlString(raw, `"512MiB"`)
	if err != nil {
		return err
	}
	return positioned(raw, s.UnmarshalText([]byte(str)))
}

// UnmarshalTOML implements unstable.Unmarshaler.
func (m *FileMode) UnmarshalTOML(raw []byte) error {
	s, err := tomlString(raw, `"0660"`)
	if err != nil {
		return err
	}
	return positioned(raw, m.UnmarshalText([]byte(s)))
}

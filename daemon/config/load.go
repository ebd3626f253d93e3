package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// ErrNotFound means there is no config file at the path given: install one
// (the package ships /etc/ventanilla/ventanilla.toml) or pass --config.
// It is distinct from *InvalidError, which means the file exists but is wrong.
var ErrNotFound = errors.New("config: no config file")

// InvalidError says what is wrong with a config file and where.
type InvalidError struct {
	File   string
	Line   int // 1-based; 0 when the problem has no single place (a missing key)
	Column int
	Key    string // dotted key, when known
	Msg    string
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxFileSize bounds what Load will read; a config is a few kilobytes.
const maxFileSize = 1 << 20

// Load reads, parses and validates the file at path. A missing file gives an
// error wrapping ErrNotFound; anything else wrong gives an *InvalidError (or
// an I/O error).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg.File = abs
	cfg.resolvePaths(filepath.Dir(abs))
	return cfg, nil
}

// Parse decodes and validates data; name is used in error messages only.
// Relative paths are left as written (Load resolves them).
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > maxFileSize {
		return nil, &InvalidError{File: name, Msg: fmt.Sprintf("file is larger than %d bytes", maxFileSize)}
	}
	cfg := Default()
	cfg.Version = 0 // must come from the file
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.EnableUnmarshalerInterface()
	if err := dec.Decode(&cfg); err != nil {
		return nil, decodeError(name, err)
	}
	if err := cfg.validate(); err != nil {
		var ie *InvalidError
		if errors.As(err, &ie) {
			ie.File = name
			ie.Line, ie.Column = keyPosition(data, ie.Key)
		}
		return nil, err
	}
	return &cfg, nil
}

// decodeError turns go-toml's errors into one *InvalidError naming the first
// problem's line, column and key.
func decodeError(name string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		first := strict.Errors[0]
		line, col := first.Position()
		msg := "unknown key (check its spelling and section; see docs/configuration.md)"
		if n := len(strict.Errors); n > 1 {
			msg += fmt.Sprintf(" (and %d more unknown keys)", n-1)
		}
		return &InvalidError{File: name, Line: line, Column: col, Key: strings.Join(first.Key(), "."), Msg: msg}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &InvalidError{File: name, Line: line, Column: col, Key: strings.Join(de.Key(), "."), Msg: cleanMsg(de.Error())}
	}
	return &InvalidError{File: name, Msg: cleanMsg(err.Error())}
}

// cleanMsg drops go-toml's prefix and its Go type spellings, which mean
// nothing to a technician.
func cleanMsg(s string) string {
	s = strings.TrimPrefix(s, "toml: ")
	if i := strings.Index(s, " into struct field"); i >= 0 {
		s = s[:i] + " here (wrong type; see docs/configuration.md)"
	}
	return s
}

func (c *Config) resolvePaths(dir string) {
	paths := []*string{&c.Paths.StateDir, &c.Paths.RunDir, &c.Diagnostics.Socket, &c.Scanner.Device,
		&c.Kiosk.DeviceKey, &c.KioskAPI.OperatorsFile, &c.Consent.DB, &c.Consent.ArchivePublicKey, &c.Consent.LookupKey, &c.Consent.ArchiveCA,
		&c.Uplink.INEKey, &c.Uplink.INESigningKey, &c.Uplink.CA, &c.Uplink.ClientCert, &c.Uplink.ClientKey}
	paths = append(paths, &c.Branding.Logo, &c.Camera.Replay, &c.Face.CascadeDir, &c.Face.DNNModel, &c.Face.DNNConfig)
	if _, err := strconv.Atoi(c.Camera.Device); err != nil { // a decimal index is not a path
		paths = append(paths, &c.Camera.Device)
	}
	for i := range c.Consent.EfirmaCAFiles {
		paths = append(paths, &c.Consent.EfirmaCAFiles[i])
	}
	for _, p := range paths {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

func supported(v int) bool { return slices.Contains(SupportedVersions, v) }

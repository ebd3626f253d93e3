package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validDoc = `version = 1

[kiosk]
id = "mty-centro-03"

[paths]
state_dir = "state"
run_dir = "/run/ventanilla"

[log]
level = "debug"

[diagnostics]
metrics_listen = "127.0.0.1:9464"

[shutdown]
timeout = "3s"

[health]
min_free_disk = "1GiB"
`

func TestParseValid(t *testing.T) {
	cfg, err := Parse("v.toml", []byte(validDoc))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Kiosk.ID != "mty-centro-03" || cfg.Shutdown.Timeout.D() != 3*time.Second {
		t.Errorf("decoded %+v", cfg)
	}
	if cfg.Health.MinFreeDisk.N() != 1<<30 {
		t.Errorf("min_free_disk = %d", cfg.Health.MinFreeDisk.N())
	}
	// Keys absent from the file keep their defaults.
	if cfg.Diagnostics.AdminGroup != "ventanilla-admin" || cfg.Health.CheckInterval.D() != 10*time.Second {
		t.Errorf("defaults lost: %+v", cfg.Diagnostics)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		line     int
		key      string
		contains string
	}{
		{"unknown key", "version = 1\n[log]\nlevel = \"info\"\nlevle = \"x\"\n", 4, "log.levle", "unknown key"},
		{"unknown section", "version = 1\n[camra]\nindex = 0\n", 2, "camra", "unknown key"},
		{"wrong type", "version = 1\n\n[shutdown]\ntimeout = 5\n", 4, "shutdown.timeout", "wrong type"},
		{"integer mode", "version = 1\n[diagnostics]\nsocket_mode = 660\n", 3, "diagnostics.socket_mode", "wrong type"},
		{"bad duration", "version = 1\n[shutdown]\ntimeout = \"soon\"\n", 3, "shutdown.timeout", "duration"},
		{"syntax", "version = 1\n[log\n", 2, "", "expected"},
		{"missing version", "[kiosk]\nid = \"a\"\n", 0, "version", "is required"},
		{"unsupported version", "\nversion = 7\n", 2, "version", "not supported"},
		{"bad level", "version = 1\n[log]\nlevel = \"loud\"\n", 3, "log.level", "not one of"},
		{"bad kiosk id", "version = 1\n[kiosk]\nid = \"a b\"\n", 3, "kiosk.id", "letters"},
		{"metrics not loopback", "version = 1\n[diagnostics]\nmetrics_listen = \"0.0.0.0:9464\"\n", 3, "diagnostics.metrics_listen", "loopback"},
		{"tiny timeout", "version = 1\n[shutdown]\ntimeout = \"1ms\"\n", 3, "shutdown.timeout", "at least"},
		{"bad size", "version = 1\n[health]\nmin_free_disk = \"lots\"\n", 3, "health.min_free_disk", "size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(tt.doc))
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *InvalidError", err, err)
			}
			if ie.Line != tt.line || ie.Key != tt.key || !strings.Contains(ie.Msg, tt.contains) {
				t.Errorf("got line %d key %q msg %q; want line %d key %q containing %q",
					ie.Line, ie.Key, ie.Msg, tt.line, tt.key, tt.contains)
			}
			if !strings.HasPrefix(err.Error(), "bad.toml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadMissingIsNotInvalid(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.toml"))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var ie *InvalidError
	if errors.As(err, &ie) {
		t.Fatal("missing file reported as invalid")
	}
}

func TestLoadResolvesRelativePaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.toml")
	if err := os.WriteFile(path, []byte(validDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Paths.StateDir != filepath.Join(dir, "state") || cfg.Paths.RunDir != "/run/ventanilla" {
		t.Errorf("paths = %+v", cfg.Paths)
	}
	if cfg.SocketPath() != "/run/ventanilla/diag.sock" {
		t.Errorf("socket = %q", cfg.SocketPath())
	}
}

func TestShippedConfigsAreValid(t *testing.T) {
	for _, p := range []string{"../../configs/dev.toml", "../../configs/ventanilla.toml"} {
		if _, err := Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestByteSizeRoundTrip(t *testing.T) {
	for _, in := range []string{"512MiB", "2GiB", "1000", "3KiB"} {
		var s ByteSize
		if err := s.UnmarshalText([]byte(in)); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, _ := s.MarshalText()
		if string(out) != in {
			t.Errorf("%s -> %s", in, out)
		}
	}
	var s ByteSize
	if s.UnmarshalText([]byte("-1MiB")) == nil || s.UnmarshalText([]byte("99999999999TiB")) == nil {
		t.Error("accepted an impossible size")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(validDoc))
	f.Add([]byte("version = 1\n[log]\nlevle = 1\n"))
	f.Add([]byte("version = 1\n[health]\nmin_free_disk = \"9TiB\"\n"))
	f.Add([]byte("[[x]]\na.b.c = [1, {d = 2}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data)
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if !supported(cfg.Version) || cfg.validate() != nil {
			t.Fatalf("accepted an invalid config: %+v", cfg)
		}
	})
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// shippedConfig is the part of configs/ventanilla.toml the package and the
// unit must agree with.
type shippedConfig struct {
	Paths struct {
		StateDir string `toml:"state_dir"`
		RunDir   string `toml:"run_dir"`
	}
	Diagnostics struct {
		Socket          string `toml:"socket"`
		SocketGroup     string `toml:"socket_group"`
		TechnicianGroup string `toml:"technician_group"`
		AdminGroup      string `toml:"admin_group"`
	}
}

func defaultConfig(t *testing.T) *shippedConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "configs", "ventanilla.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var c shippedConfig
	if err := toml.Unmarshal(b, &c); err != nil {
		t.Fatalf("configs/ventanilla.toml: %v", err)
	}
	return &c
}

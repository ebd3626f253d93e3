package operator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// anyClient is the store key that locks every client (a damaged store).
const anyClient = "*"

// maxClients bounds the lockout table; clients are local uids, so a real
// kiosk has a handful.
const maxClients = 1024

// clientState is one client's login record. It never holds a PIN, an
// operator id or a token.
type clientState struct {
	Failures int       `json:"failures"`
	Until    time.Time `json:"locked_until,omitzero"`
	lastTry  time.Time // attempt rate; not kept across restarts
}

// storeFile is the JSON of Opts.Store.
type storeFile struct {
	Version int                     `json:"version"`
	Clients map[string]*clientState `json:"clients"`
}

// loadStore reads the lockout table. A missing file is an empty table; a
// damaged one is reported (the caller locks every client).
func loadStore(path string) (map[string]*clientState, error) {
	out := map[string]*clientState{}
	if path == "" {
		return out, nil
	}
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	var f storeFile
	if err := json.Unmarshal(raw, &f); err != nil || f.Version != 1 || len(f.Clients) > maxClients {
		return out, fmt.Errorf("operator: lockout store %s is damaged", path)
	}
	for k, v := range f.Clients {
		if v != nil && k != "" && len(k) <= 64 {
			out[k] = v
		}
	}
	return out, nil
}

// saveStore writes the table atomically (temporary file, fsync, rename),
// mode 0600, dropping clients with nothing to remember.
func saveStore(path string, clients map[string]*clientState, now time.Time) error {
	if path == "" {
		return nil
	}
	f := storeFile{Version: 1, Clients: map[string]*clientState{}}
	for k, v := range clients {
		if v.Failures > 0 || now.Before(v.Until) {
			f.Clients[k] = v
		}
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lockout-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

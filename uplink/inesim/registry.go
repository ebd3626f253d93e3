package inesim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Citizen is one synthetic registry entry: a credential, INE's status for
// it, and the reference biometrics the matcher compares against.
type Citizen struct {
	Credential credential.Credential
	// Status is what INE answers when the data match (valid, not-current,
	// reported-lost-stolen, suspended-rights, ...).
	Status vocab.Status
	// Face is an encoded reference image (JPEG or PNG); nil if none.
	Face []byte
	// Fingers maps finger position (1-10) to an encoded reference image
	// (PNG, JPEG) of that finger.
	Fingers map[int][]byte
}

// Registry is an in-memory set of synthetic citizens. Safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	byCIC  map[string]*Citizen
	byClav map[string]*Citizen
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byCIC: map[string]*Citizen{}, byClav: map[string]*Citizen{}}
}

// Add validates and indexes c.
func (r *Registry) Add(c *Citizen) error {
	if err := c.Credential.Validate(); err != nil {
		return fmt.Errorf("inesim: registry: %w", err)
	}
	if !c.Status.Valid() || c.Status == vocab.StatusNotFound || c.Status == vocab.StatusDataMismatch {
		return fmt.Errorf("inesim: registry: status must be an INE status for an existing credential")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.Credential.CIC != "" {
		r.byCIC[c.Credential.CIC] = c
	} else {
		r.byClav[c.Credential.ClaveElector] = c
	}
	return nil
}

// Len is the number of citizens.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byCIC) + len(r.byClav)
}

// EnrollFace gives every citizen without a face reference this one (an
// encoded image) and returns how many it gave it to: `ine-sim serve
// -face-video` enrols the person of the recording `make run`'s emulated
// camera replays as the holder of every demo credential, so face-only
// verification reaches each answer screen the finger does.
func (r *Registry) EnrollFace(face []byte) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range []map[string]*Citizen{r.byCIC, r.byClav} {
		for _, c := range m {
			if c.Face == nil {
				c.Face, n = face, n+1
			}
		}
	}
	return n
}

// Decide returns the status for presented data and the matching citizen
// (nil unless the data identify one whose fields all match).
//
// Lookup is by CIC (models D-H) or clave de elector (A-C). A model or field
// mismatch is data-mismatch, except an older número de emisión than the
// registered one, which means a replaced credential: not-current.
func (r *Registry) Decide(c credential.Credential) (vocab.Status, *Citizen) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var cit *Citizen
	if c.CIC != "" {
		cit = r.byCIC[c.CIC]
	} else {
		cit = r.byClav[c.ClaveElector]
	}
	if cit == nil {
		return vocab.StatusNotFound, nil
	}
	ref := cit.Credential
	if ref.Model != c.Model {
		return vocab.StatusDataMismatch, nil
	}
	if c.NumeroEmision != ref.NumeroEmision {
		if c.NumeroEmision < ref.NumeroEmision && c.OCR == ref.OCR {
			return vocab.StatusNotCurrent, nil
		}
		return vocab.StatusDataMismatch, nil
	}
	if c.OCR != ref.OCR || c.IdentificadorCiudadano != ref.IdentificadorCiudadano {
		return vocab.StatusDataMismatch, nil
	}
	return cit.Status, cit
}

// registryFile is the JSON registry format read by LoadRegistry:
//
//	{"citizens": [{"model": "E", "cic": "...", "identificadorCiudadano": "...",
//	  "status": "valid", "face": "faces/a.jpg", "fingers": {"2": "fingers/a2.png"}}]}
//
// Image paths are relative to the registry file.
type registryFile struct {
	Citizens []registryEntry `json:"citizens"`
}

type registryEntry struct {
	Model                  string            `json:"model"`
	ClaveElector           string            `json:"claveElector,omitempty"`
	NumeroEmision          string            `json:"numeroEmision,omitempty"`
	OCR                    string            `json:"ocr,omitempty"`
	CIC                    string            `json:"cic,omitempty"`
	IdentificadorCiudadano string            `json:"identificadorCiudadano,omitempty"`
	Status                 vocab.Status      `json:"status"`
	Face                   string            `json:"face,omitempty"`
	Fingers                map[string]string `json:"fingers,omitempty"`
}

// LoadRegistry reads a registry file (synthetic data only).
func LoadRegistry(path string) (*Registry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inesim: registry: %w", err)
	}
	var f registryFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("inesim: registry %s: %w", path, err)
	}
	reg := NewRegistry()
	dir := filepath.Dir(path)
	for i, e := range f.Citizens {
		c, err := e.citizen(dir)
		if err == nil {
			err = reg.Add(c)
		}
		if err != nil {
			return nil, fmt.Errorf("inesim: registry %s entry %d: %w", path, i, err)
		}
	}
	return reg, nil
}

func (e registryEntry) citizen(dir string) (*Citizen, error) {
	m, err := credential.ParseModel(e.Model)
	if err != nil {
		return nil, err
	}
	c := &Citizen{Status: e.Status, Fingers: map[int][]byte{}, Credential: credential.Credential{Model: m,
		ClaveElector: e.ClaveElector, NumeroEmision: e.NumeroEmision, OCR: e.OCR, CIC: e.CIC, IdentificadorCiudadano: e.IdentificadorCiudadano}}
	if e.Face != "" {
		if c.Face, err = os.ReadFile(filepath.Join(dir, e.Face)); err != nil {
			return nil, err
		}
	}
	for pos, p := range e.Fingers {
		n, err := strconv.Atoi(pos)
		if err != nil || n < 1 || n > 10 {
			return nil, fmt.Errorf("finger position %q: want 1-10", pos)
		}
		if c.Fingers[n], err = os.ReadFile(filepath.Join(dir, p)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/liveness"
)

// Manifest lists the evaluation items. Its JSON form is documented in
// docs/liveness.md; unknown fields are errors.
type Manifest struct {
	Items []Item `json:"items"`
}

// Item is one presentation.
type Item struct {
	// Path is a video file, an image folder or one image, relative to the
	// manifest's directory unless absolute.
	Path string `json:"path"`
	// Label is "bona_fide" or "attack".
	Label string `json:"label"`
	// AttackType is "print", "replay", "mask" or "other" (attacks only).
	AttackType string `json:"attack_type,omitempty"`
	// Challenges is the challenge script the recording actually performs,
	// in order; the check asks exactly these.
	Challenges []string `json:"challenges,omitempty"`
	// Frames, when set, is the clip [first, last) of a video or folder.
	Frames []int `json:"frames,omitempty"`
	// Synth turns the media into a synthetic attack in memory.
	Synth *Synth `json:"synth,omitempty"`
	// Name labels the item in reports (defaults to the path's base name).
	Name string `json:"name,omitempty"`
	// Subject groups the items of one presenter (one person, one attack
	// instrument) for per-session rates: a scripted item judged UNCERTAIN
	// is retried with another scripted item of the same subject and label
	// whose script avoids the first one's challenges, as the kiosk's second
	// attempt does. Defaults to the media path (plus the synth kind).
	Subject string `json:"subject,omitempty"`
}

// Synth describes a synthetic attack made from the item's media.
type Synth struct {
	// Kind is "plane" (the first frame moved as a rigid plane), "print" (a
	// printed photo on paper, hand-held before a room), "print_noedge" (the
	// print held so close that no sheet edge is in view), "print_curved"
	// (the print bent about a vertical axis, hand-held), "replay" (the
	// recording shown on a screen held before a room), "replay_full" (the
	// screen filling the frame, no bezel in view) or "replay_clean" (a
	// screen without a visible pixel grid, hand-held and moving, its bezel
	// in view: only the motion can give it away), "replay_stand" (a screen
	// on a stand, still, filling most of the frame, no pixel grid, its
	// 25 fps recording shown to a 30 fps camera), "replay_stand_sync" (the
	// same at the camera's own rate: no frame-rate conversion) or
	// "mask_cutout" (a print of the first frame's face with the eyes cut
	// out, worn by the presenter: the live eyes show through, the rest is
	// one rigid sheet moving with the head). See synth.go.
	Kind string `json:"kind"`
	Seed int64  `json:"seed"`
}

// Labels and attack types.
const (
	BonaFide = "bona_fide"
	Attack   = "attack"
)

var attackTypes = map[string]bool{"print": true, "replay": true, "mask": true, "other": true}
var synthKinds = map[string]bool{"plane": true, "print": true, "replay": true,
	"print_noedge": true, "print_curved": true, "replay_full": true, "replay_clean": true,
	"replay_stand": true, "replay_stand_sync": true, "mask_cutout": true}

// maxManifest bounds the manifest size read.
const maxManifest = 4 << 20

// ParseManifest decodes and validates a manifest; relative paths are
// resolved against dir.
func ParseManifest(r io.Reader, dir string) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("eval: read manifest: %w", err)
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("eval: manifest larger than %d bytes", maxManifest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("eval: decode manifest: %w", err)
	}
	if dec.More() {
		return nil, errors.New("eval: manifest: trailing data after the JSON object")
	}
	if len(m.Items) == 0 {
		return nil, errors.New("eval: manifest has no items")
	}
	for i := range m.Items {
		if err := m.Items[i].validate(dir); err != nil {
			return nil, fmt.Errorf("eval: manifest item %d: %w", i, err)
		}
	}
	return &m, nil
}

func (it *Item) validate(dir string) error {
	if it.Path == "" {
		return errors.New("path is empty")
	}
	if !filepath.IsAbs(it.Path) {
		it.Path = filepath.Join(dir, it.Path)
	}
	if it.Name == "" {
		it.Name = filepath.Base(it.Path)
	}
	if it.Subject == "" {
		it.Subject = it.Path
		if it.Synth != nil {
			it.Subject += "|" + it.Synth.Kind
		}
	}
	switch it.Label {
	case BonaFide:
		if it.AttackType != "" || it.Synth != nil {
			return errors.New("a bona_fide item has no attack_type or synth")
		}
	case Attack:
		if !attackTypes[it.AttackType] {
			return fmt.Errorf("attack_type %q: want print, replay, mask or other", it.AttackType)
		}
	default:
		return fmt.Errorf("label %q: want bona_fide or attack", it.Label)
	}
	if it.Synth != nil && !synthKinds[it.Synth.Kind] {
		return fmt.Errorf("synth kind %q: want plane, print, print_noedge, print_curved, replay, replay_full, replay_clean, replay_stand, replay_stand_sync or mask_cutout", it.Synth.Kind)
	}
	if len(it.Frames) != 0 && (len(it.Frames) != 2 || it.Frames[0] < 0 || it.Frames[1] <= it.Frames[0]) {
		return fmt.Errorf("frames %v: want [first, last) with 0 <= first < last", it.Frames)
	}
	for _, c := range it.Challenges {
		if _, err := liveness.ParseChallenge(c); err != nil {
			return err
		}
	}
	return nil
}

package liveness

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Verdict is the closed vocabulary of ISO/IEC 30107-style decisions,
// defined once in vocab (live, spoof, uncertain).
type Verdict = vocab.Verdict

// Verdicts; see vocab.
const (
	Live      = vocab.Live
	Spoof     = vocab.Spoof
	Uncertain = vocab.Uncertain
)

// Reasons for SPOOF and UNCERTAIN. A SPOOF reason names the cue that fired.
const (
	ReasonFrozen        = "frozen_stream"
	ReasonNoFace        = "no_face"
	ReasonTooDark       = "too_dark"
	ReasonTimeout       = "challenge_timeout"
	ReasonNoMotion      = "insufficient_motion"
	ReasonTooFewFrames  = "too_few_frames"
	ReasonPlanar        = "planar_motion"
	ReasonPlanarFace    = "planar_face_only"
	ReasonSurroundMoves = "background_moves_with_face"
	// ReasonNoEvidence: a passive check saw nothing a rigid picture could
	// not show (a single still, or a face that never deformed or turned).
	ReasonNoEvidence = "no_liveness_evidence"
)

// Decision is the outcome of a check, with every measurement behind it.
type Decision struct {
	Verdict    Verdict
	Reason     string             // "" for LIVE
	Scores     map[string]float64 // every cue's aggregate score
	Thresholds map[string]string  // cue -> "<= 40" etc.
	Challenges []ChallengeResult
	Passive    bool // only the static part was checked
	// Fails lists every cue whose score is outside its live range (the
	// Reason names the first in decision order); evaluations use it to see
	// which attacks a cue alone stops.
	Fails []string
}

// ChallengeResult is one step's outcome.
type ChallengeResult struct {
	Challenge Challenge
	Passed    bool
	Seconds   float64 // time taken, or until the timeout
}

func (d Decision) String() string {
	if d.Reason == "" {
		return string(d.Verdict)
	}
	return fmt.Sprintf("%s(%s)", d.Verdict, d.Reason)
}

// Explain is a technician-readable account of the decision: cue scores,
// thresholds and challenge results. It carries measurements only; never
// store it with anything that identifies the citizen.
func (d Decision) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "decision: %s\n", d)
	names := make([]string, 0, len(d.Scores))
	for n := range d.Scores {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-16s %8.4f  (live when %s)\n", n, d.Scores[n], d.Thresholds[n])
	}
	for _, c := range d.Challenges {
		fmt.Fprintf(&b, "  challenge %-12s passed=%v after %.1fs\n", c.Challenge, c.Passed, c.Seconds)
	}
	return b.String()
}

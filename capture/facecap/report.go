package facecap

import (
	"fmt"
	"math"
	"strings"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/session"
)

// This file holds what a face capture tells the outside: the prompts the
// citizen sees and the liveness summary sent to INE.

// promptHold is how many frames in a row a quality code must hold before
// it replaces the prompt on screen, so feedback does not flicker.
const promptHold = 3

// prompter sends the session's prompts: each only when it changes, from
// the capture's one goroutine (never concurrently).
type prompter struct {
	send    func(session.Prompt)
	last    session.Prompt
	pending face.Code
	held    int
}

func (p *prompter) show(q session.Prompt) {
	if q != p.last {
		p.last = q
		p.send(q)
	}
}

func (p *prompter) track(c face.Code) {
	if c != p.pending {
		p.pending, p.held = c, 0
	}
	p.held++
}

// quality shows the gate's feedback ("face.too_far", "face.ok", ...).
func (p *prompter) quality(c face.Code) {
	p.track(c)
	if p.held >= promptHold || p.last.Code == "" {
		p.show(session.Prompt{Code: string(c), Message: c.Message()})
	}
}

// blocking are the gate codes that stop a challenge from being judged, so
// they replace its prompt; the others (pose, eyes closed, blur) are what
// the challenges themselves cause.
func blocking(c face.Code) bool {
	return c == face.NoFace || c == face.ManyFaces || c == face.TooFar || c == face.TooDark
}

// during shows, while the check runs, the current challenge
// ("challenge.turn_left", step i of n; "challenge.done" after the last
// one), or quality feedback when the face cannot be judged. A passive
// check has no challenge: the gate's feedback is shown.
func (p *prompter) during(st liveness.Status, c face.Code) {
	if st.Steps == 0 {
		p.quality(c)
		return
	}
	p.track(c)
	if blocking(c) && p.held >= promptHold {
		p.show(session.Prompt{Code: string(c), Message: c.Message()})
		return
	}
	code := "challenge." + strings.TrimPrefix(st.Prompt.Code, "liveness.")
	p.show(session.Prompt{Code: code, Message: st.Prompt.Message, Step: min(st.Step+1, st.Steps), Steps: st.Steps})
}

// Summary is the decision as the session and INE see it: the
// verdict, the method, and each cue as a support score in [0, 1] where
// 0.5 is the cue's threshold and more is more in favour of a live person.
// "challenges" is the fraction of the asked challenges done.
func Summary(d *liveness.Decision, steps int) session.Liveness {
	l := session.Liveness{Decision: d.Verdict, Method: "static+motion+challenges", Cues: map[string]float64{}}
	if d.Passive || steps == 0 {
		l.Method = "static"
	}
	for name, v := range d.Scores {
		if s, ok := cueSupport(v, d.Thresholds[name]); ok {
			l.Cues[name] = s
		}
	}
	if steps > 0 {
		passed := 0
		for _, c := range d.Challenges {
			if c.Passed {
				passed++
			}
		}
		l.Cues["challenges"] = float64(passed) / float64(steps)
	}
	return l
}

// cueSupport maps a cue score and its threshold ("<= 40", ">= 15", "< 8")
// to [0, 1]: 0.5 at the threshold, 1 at zero for an upper bound, 1 at
// twice the threshold for a lower bound.
func cueSupport(score float64, threshold string) (float64, bool) {
	var op string
	var t float64
	if _, err := fmt.Sscanf(threshold, "%s %g", &op, &t); err != nil || t <= 0 || math.IsNaN(score) {
		return 0, false
	}
	var v float64
	switch op {
	case "<=", "<":
		v = 1 - score/(2*t)
	case ">=", ">":
		v = score / (2 * t)
	default:
		return 0, false
	}
	return math.Max(0, math.Min(1, v)), true
}

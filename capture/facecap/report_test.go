package facecap

import (
	"math"
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/session"
)

func TestCueSupport(t *testing.T) {
	tests := []struct {
		score     float64
		threshold string
		want      float64
		ok        bool
	}{
		{40, "<= 40", 0.5, true}, // at the threshold
		{0, "<= 40", 1, true},
		{200, "<= 40", 0, true}, // far beyond: clamped
		{15, ">= 15", 0.5, true},
		{45, ">= 15", 1, true},
		{0, ">= 0.004", 0, true},
		{2, "< 8", 0.875, true},
		{1, "", 0, false},
		{1, "~ 3", 0, false},
		{1, "<= 0", 0, false},
		{math.NaN(), "<= 40", 0, false},
	}
	for _, tt := range tests {
		got, ok := cueSupport(tt.score, tt.threshold)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("cueSupport(%v, %q) = %v, %v; want %v, %v", tt.score, tt.threshold, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLivenessSummary(t *testing.T) {
	d := &liveness.Decision{Verdict: liveness.Uncertain, Reason: liveness.ReasonTimeout,
		Scores:     map[string]float64{liveness.CueMoire: 10, liveness.CueParallax: 0.008},
		Thresholds: map[string]string{liveness.CueMoire: "<= 40", liveness.CueParallax: ">= 0.004"},
		Challenges: []liveness.ChallengeResult{{Challenge: liveness.Blink, Passed: true}, {Challenge: liveness.Smile}}}
	l := Summary(d, 2)
	if l.Decision != session.Uncertain || l.Method != "static+motion+challenges" {
		t.Errorf("summary = %+v", l)
	}
	want := map[string]float64{liveness.CueMoire: 0.875, liveness.CueParallax: 1, "challenges": 0.5}
	for k, v := range want {
		if math.Abs(l.Cues[k]-v) > 1e-9 {
			t.Errorf("cue %s = %v, want %v", k, l.Cues[k], v)
		}
	}
	if p := Summary(&liveness.Decision{Verdict: liveness.Live, Passive: true}, 0); p.Method != "static" || p.Decision != session.Live {
		t.Errorf("passive summary = %+v", p)
	}
}

// TestPrompter: prompts change only when they must, quality feedback must
// hold a few frames, and challenge prompts use the kiosk UI's codes.
func TestPrompter(t *testing.T) {
	var got []session.Prompt
	p := &prompter{send: func(q session.Prompt) { got = append(got, q) }}
	for _, c := range []face.Code{face.NoFace, face.NoFace, face.TooFar, face.OK, face.TooFar, face.TooFar, face.TooFar, face.TooFar} {
		p.quality(c)
	}
	if len(got) != 2 || got[0].Code != "face.none" || got[1].Code != "face.too_far" || got[1].Message != face.TooFar.Message() {
		t.Fatalf("quality prompts = %+v; want face.none, then face.too_far once it held", got)
	}
	got = nil
	turn := liveness.Status{Step: 0, Steps: 2, Prompt: liveness.PromptFor(liveness.TurnLeft)}
	for _, c := range []face.Code{face.NotFrontal, face.EyesClosed, face.OK} {
		p.during(turn, c) // what a turning head causes does not hide the challenge
	}
	for range promptHold {
		p.during(turn, face.NoFace)
	}
	done := liveness.Status{Step: 2, Steps: 2, Prompt: liveness.Prompt{Code: liveness.PromptDone, Message: "Gracias."}}
	p.during(done, face.OK)
	want := []session.Prompt{
		{Code: "challenge.turn_left", Message: liveness.PromptFor(liveness.TurnLeft).Message, Step: 1, Steps: 2},
		{Code: "face.none", Message: face.NoFace.Message()},
		{Code: "challenge.done", Message: "Gracias.", Step: 2, Steps: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("challenge prompts = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("prompt %d = %+v; want %+v", i, got[i], want[i])
		}
	}
}

// TestEyesEveryDuringBlink: the eye cascade runs on every frame only while
// a blink is the current challenge (the shared rule the evaluation uses too).
func TestEyesEveryDuringBlink(t *testing.T) {
	seq := []liveness.Challenge{liveness.TurnLeft, liveness.Blink}
	for step, want := range []int{0, 1, 0} {
		if got := liveness.EyesEvery(seq, liveness.Status{Step: step, Steps: 2}); got != want {
			t.Errorf("step %d: eyes every %d; want %d", step, got, want)
		}
	}
	if liveness.EyesEvery(nil, liveness.Status{}) != 0 {
		t.Error("passive check: want the configured rate")
	}
}

// TestSecondChance: only an UNCERTAIN challenge attempt is retried; LIVE and
// SPOOF are final, and neither a passive check nor an evaluation replay
// (which scores its own retry) is retried.
func TestSecondChance(t *testing.T) {
	seq := []liveness.Challenge{liveness.Blink}
	cases := []struct {
		v     liveness.Verdict
		seq   []liveness.Challenge
		atEnd bool
		retry bool
	}{
		{liveness.Uncertain, seq, false, true},
		{liveness.Live, seq, false, false},
		{liveness.Spoof, seq, false, false},
		{liveness.Uncertain, nil, false, false},
		{liveness.Uncertain, seq, true, false},
	}
	for _, c := range cases {
		if got := secondChance(&liveness.Decision{Verdict: c.v}, c.seq, c.atEnd); got != c.retry {
			t.Errorf("%v seq=%v atEnd=%v: retry %v; want %v", c.v, c.seq, c.atEnd, got, c.retry)
		}
	}
}

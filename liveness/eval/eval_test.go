package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/liveness"
)

var manifestCases = []struct {
	name, json string
	ok         bool
}{
	{"still bona fide", `{"items":[{"path":"a.jpg","label":"bona_fide"}]}`, true},
	{"scripted clip", `{"items":[{"path":"v.mp4","label":"bona_fide","frames":[10,90],"challenges":["blink","move_closer"]}]}`, true},
	{"synthetic attack", `{"items":[{"path":"v.mp4","label":"attack","attack_type":"replay","synth":{"kind":"replay","seed":3}}]}`, true},
	{"unknown field", `{"items":[{"path":"a.jpg","label":"bona_fide","colour":"red"}]}`, false},
	{"bad label", `{"items":[{"path":"a.jpg","label":"real"}]}`, false},
	{"attack without type", `{"items":[{"path":"a.jpg","label":"attack"}]}`, false},
	{"bona fide with type", `{"items":[{"path":"a.jpg","label":"bona_fide","attack_type":"print"}]}`, false},
	{"bad challenge", `{"items":[{"path":"a.jpg","label":"bona_fide","challenges":["wink"]}]}`, false},
	{"bad clip", `{"items":[{"path":"v.mp4","label":"bona_fide","frames":[9,3]}]}`, false},
	{"bad synth", `{"items":[{"path":"v.mp4","label":"attack","attack_type":"other","synth":{"kind":"mask"}}]}`, false},
	{"empty", `{"items":[]}`, false},
	{"trailing", `{"items":[{"path":"a.jpg","label":"bona_fide"}]} {}`, false},
	{"not json", `items: []`, false},
}

func TestParseManifest(t *testing.T) {
	for _, c := range manifestCases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseManifest(strings.NewReader(c.json), "/data")
			if (err == nil) != c.ok {
				t.Fatalf("err = %v; want ok=%v", err, c.ok)
			}
			if c.ok && !strings.HasPrefix(m.Items[0].Path, "/data/") {
				t.Errorf("path %q not resolved against the manifest's directory", m.Items[0].Path)
			}
		})
	}
}

func FuzzParseManifest(f *testing.F) {
	for _, c := range manifestCases {
		f.Add([]byte(c.json))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(strings.NewReader(string(data)), "/d")
		if err != nil {
			return
		}
		for _, it := range m.Items {
			if it.Path == "" || (it.Label != BonaFide && it.Label != Attack) {
				t.Fatalf("accepted an invalid item %+v", it)
			}
		}
	})
}

func TestClopperPearson(t *testing.T) {
	// Reference values (exact binomial intervals).
	cases := []struct {
		x, n   int
		lo, hi float64
	}{
		{0, 10, 0, 0.30850},
		{10, 10, 0.69150, 1},
		{5, 10, 0.18709, 0.81291},
		{1, 20, 0.00126, 0.24873},
		{0, 3, 0, 0.70760},
	}
	for _, c := range cases {
		iv := ClopperPearson(c.x, c.n, 0.05)
		if math.Abs(iv.Lo-c.lo) > 1e-4 || math.Abs(iv.Hi-c.hi) > 1e-4 {
			t.Errorf("CP(%d/%d) = [%.5f, %.5f]; want [%.5f, %.5f]", c.x, c.n, iv.Lo, iv.Hi, c.lo, c.hi)
		}
	}
}

func TestSummarise(t *testing.T) {
	live := func(label, typ, verdict string) Result {
		r := Result{Item: Item{Name: label, Label: label, AttackType: typ}}
		r.Passive.Verdict = verdictOf(verdict)
		d := r.Passive
		r.Full = &d
		return r
	}
	rep := Summarise([]Result{
		live(BonaFide, "", "live"), live(BonaFide, "", "spoof"),
		live(Attack, "print", "spoof"), live(Attack, "print", "live"),
		live(Attack, "replay", "uncertain"),
		{Item: Item{Label: Attack, AttackType: "replay"}, Err: "unreadable"},
	}, false)
	if r := rep.Full.BPCER; r.Errors != 1 || r.Total != 2 {
		t.Errorf("BPCER %+v; want 1/2", r)
	}
	if r := rep.Full.APCER["print"]; r.Errors != 1 || r.Total != 2 {
		t.Errorf("APCER print %+v; want 1/2", r)
	}
	if r := rep.Full.APCER["replay"]; r.Errors != 1 || r.Total != 2 {
		t.Errorf("APCER replay %+v; want 1/2 (the failed attack counts as accepted)", r)
	}
	if rep.Full.WorstAttack != "print" {
		t.Errorf("worst attack %q; want print", rep.Full.WorstAttack)
	}
	if rep.Full.Failed != 1 {
		t.Errorf("failed items %d; want 1", rep.Full.Failed)
	}
}

func TestFailedBonaFideCountsAsRejected(t *testing.T) {
	rep := Summarise([]Result{{Item: Item{Label: BonaFide, Path: "a.mp4", Challenges: []string{"blink"}}, Err: "bad"}}, false)
	if r := rep.Full.BPCER; r.Errors != 1 || r.Total != 1 {
		t.Errorf("BPCER %+v; want 1/1", r)
	}
	if r := rep.Passive.BPCER; r.Errors != 1 || r.Total != 1 {
		t.Errorf("passive BPCER %+v; want 1/1", r)
	}
}

func TestSessionRetry(t *testing.T) {
	item := func(subject string, verdict string, script ...liveness.Challenge) Result {
		d := liveness.Decision{Verdict: verdictOf(verdict)}
		return Result{Item: Item{Label: BonaFide, Subject: subject}, Full: &d, Script: script}
	}
	rep := Summarise([]Result{
		item("a", "uncertain", liveness.Blink, liveness.Smile),
		item("a", "live", liveness.Blink),                         // shares blink: not the retry
		item("a", "live", liveness.TurnLeft, liveness.MoveCloser), // the retry
		item("b", "uncertain", liveness.Blink),                    // no retry material
		item("c", "spoof", liveness.Blink),                        // a SPOOF is not retried
		item("c", "live", liveness.Smile),
	}, false)
	if r := rep.Full.BPCER; r.Errors != 3 || r.Total != 6 {
		t.Errorf("per-attempt BPCER %+v; want 3/6", r)
	}
	if r := rep.Session.BPCER; r.Errors != 2 || r.Total != 6 {
		t.Errorf("per-session BPCER %+v; want 2/6 (a retried, b and c not)", r)
	}
	if rep.Session.NoRetry != 1 {
		t.Errorf("no-retry count %d; want 1", rep.Session.NoRetry)
	}
}

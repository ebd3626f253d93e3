package eval

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/ventanilla-mx/ventanilla/liveness"
)

// Rate is an error rate with its counts and 95% Clopper-Pearson interval.
type Rate struct {
	Errors int      `json:"errors"`
	Total  int      `json:"total"`
	Rate   float64  `json:"rate"`
	CI95   Interval `json:"ci95"`
}

func rate(errs, n int) Rate {
	r := Rate{Errors: errs, Total: n, CI95: ClopperPearson(errs, n, 0.05)}
	if n > 0 {
		r.Rate = float64(errs) / float64(n)
	}
	return r
}

// ModeReport is ISO/IEC 30107-3 metrics for one mode (passive or full).
type ModeReport struct {
	// APCER per attack type: attack presentations classified bona fide (LIVE).
	APCER map[string]Rate `json:"apcer"`
	// BPCER: bona fide presentations not classified bona fide.
	BPCER Rate `json:"bpcer"`
	// WorstAttack is the attack type with the highest APCER (the
	// APCER_PAIS maximum of ISO/IEC 30107-3).
	WorstAttack string `json:"worst_attack_type"`
	// Failed counts the items that could not be run; they are counted as
	// errors (a bona fide item as rejected, an attack as accepted).
	Failed int `json:"failed_items"`
	// AloneStops: per cue, per attack type, the attacks that cue alone
	// (no other cue out of range) stops.
	AloneStops map[string]map[string]int `json:"alone_stops,omitempty"`
}

// SessionReport is per-session rates in full mode: an attempt judged
// UNCERTAIN gets one retry (see Item.Subject).
type SessionReport struct {
	APCER map[string]Rate `json:"apcer"`
	BPCER Rate            `json:"bpcer"`
	// NoRetry counts UNCERTAIN first attempts with no retry material; they
	// keep their first attempt's outcome.
	NoRetry int `json:"no_retry"`
}

// Report is the whole evaluation.
type Report struct {
	// Geometry names what measured the challenges: "face mesh" or
	// "cascades" (set by the caller from the liveness options).
	Geometry string        `json:"geometry,omitempty"`
	Passive  ModeReport    `json:"passive"`
	Full     ModeReport    `json:"full"`
	Session  SessionReport `json:"session"`
	Items    []ItemReport  `json:"items"`
}

// ItemReport is one item's line.
type ItemReport struct {
	Name       string             `json:"name"`
	Label      string             `json:"label"`
	AttackType string             `json:"attack_type,omitempty"`
	Frames     int                `json:"frames"`
	Script     []string           `json:"script,omitempty"`
	Passive    string             `json:"passive"`
	Full       string             `json:"full,omitempty"`
	Scores     map[string]float64 `json:"scores,omitempty"`
	Explain    string             `json:"explain,omitempty"`
	Error      string             `json:"error,omitempty"`
}

// Summarise computes the metrics. Items that failed to run are listed and
// counted as errors: a bona fide item as rejected, an attack as accepted.
func Summarise(results []Result, explain bool) Report {
	var rep Report
	rep.Passive = mode(results, func(r Result) *liveness.Decision { return &r.Passive }, true)
	rep.Full = mode(results, func(r Result) *liveness.Decision { return r.Full }, false)
	rep.Session = sessions(results)
	for _, r := range results {
		ir := ItemReport{Name: r.Item.Name, Label: r.Item.Label, AttackType: r.Item.AttackType, Frames: r.Frames, Error: r.Err}
		for _, c := range r.Script {
			ir.Script = append(ir.Script, string(c))
		}
		if r.Err == "" {
			ir.Passive, ir.Scores = r.Passive.String(), r.Passive.Scores
			if r.Full != nil {
				ir.Full, ir.Scores = r.Full.String(), r.Full.Scores
				if explain {
					ir.Explain = r.Full.Explain()
				}
			} else if explain {
				ir.Explain = r.Passive.Explain()
			}
		}
		rep.Items = append(rep.Items, ir)
	}
	return rep
}

// mode counts one mode's errors. A failed item counts in every mode it
// would have been judged in (passive always; full when it has a script or
// is an attack video).
func mode(results []Result, pick func(Result) *liveness.Decision, passive bool) ModeReport {
	acc, tot := map[string]int{}, map[string]int{}
	bfErr, bfTot := 0, 0
	m := ModeReport{APCER: map[string]Rate{}, AloneStops: map[string]map[string]int{}}
	for _, r := range results {
		d := pick(r)
		failed := r.Err != ""
		if failed && !passive && !wouldRunFull(r.Item) || !failed && d == nil {
			continue
		}
		if failed {
			m.Failed++
		}
		live := failed && r.Item.Label == Attack || !failed && d.Verdict == liveness.Live
		if r.Item.Label == BonaFide {
			bfTot++
			if !live {
				bfErr++
			}
			continue
		}
		tot[r.Item.AttackType]++
		if live {
			acc[r.Item.AttackType]++
		}
		if !failed && len(d.Fails) == 1 {
			c := d.Fails[0]
			if m.AloneStops[c] == nil {
				m.AloneStops[c] = map[string]int{}
			}
			m.AloneStops[c][r.Item.AttackType]++
		}
	}
	m.BPCER = rate(bfErr, bfTot)
	worst := -1.0
	for _, t := range sortedKeys(tot) {
		m.APCER[t] = rate(acc[t], tot[t])
		if m.APCER[t].Rate > worst {
			worst, m.WorstAttack = m.APCER[t].Rate, t
		}
	}
	return m
}

// wouldRunFull: the item would have had a full decision had it run.
func wouldRunFull(it Item) bool {
	still := hasImageExt(it.Path) && it.Synth == nil
	return !still && (it.Label == Attack || len(it.Challenges) > 0)
}

// sessions judges each full-mode item as a session's first attempt: LIVE
// and SPOOF stand; UNCERTAIN is retried with the first other item of the
// same subject and label whose script shares no challenge with it (else
// any other script), and the retry's verdict stands.
func sessions(results []Result) SessionReport {
	acc, tot := map[string]int{}, map[string]int{}
	bfErr, bfTot, noRetry := 0, 0, 0
	for i, r := range results {
		if r.Err == "" && r.Full == nil || r.Err != "" && !wouldRunFull(r.Item) {
			continue
		}
		live := r.Err != "" && r.Item.Label == Attack
		if r.Err == "" {
			live = r.Full.Verdict == liveness.Live
			if r.Full.Verdict == liveness.Uncertain {
				if j := retryFor(results, i); j >= 0 {
					live = results[j].Full.Verdict == liveness.Live
				} else {
					noRetry++
				}
			}
		}
		if r.Item.Label == BonaFide {
			bfTot++
			if !live {
				bfErr++
			}
			continue
		}
		tot[r.Item.AttackType]++
		if live {
			acc[r.Item.AttackType]++
		}
	}
	s := SessionReport{APCER: map[string]Rate{}, BPCER: rate(bfErr, bfTot), NoRetry: noRetry}
	for _, t := range sortedKeys(tot) {
		s.APCER[t] = rate(acc[t], tot[t])
	}
	return s
}

func retryFor(results []Result, i int) int {
	r := results[i]
	other := -1
	for j, c := range results {
		if j == i || c.Err != "" || c.Full == nil || c.Item.Subject != r.Item.Subject || c.Item.Label != r.Item.Label {
			continue
		}
		if disjoint(r.Script, c.Script) {
			return j
		}
		if other < 0 && !slices.Equal(r.Script, c.Script) {
			other = j
		}
	}
	return other
}

func disjoint(a, b []liveness.Challenge) bool {
	for _, c := range a {
		if slices.Contains(b, c) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteText writes the report for people.
func (rep Report) WriteText(w io.Writer) {
	if rep.Geometry != "" {
		fmt.Fprintf(w, "challenges measured by: %s\n", rep.Geometry)
	}
	for _, mr := range []struct {
		name string
		m    ModeReport
	}{{"passive (static cues only)", rep.Passive}, {"full (static + dynamic challenge)", rep.Full}} {
		fmt.Fprintf(w, "== %s\n", mr.name)
		for _, t := range sortedRates(mr.m.APCER) {
			fmt.Fprintf(w, "  APCER %-7s %s\n", t, mr.m.APCER[t])
		}
		fmt.Fprintf(w, "  BPCER         %s\n", mr.m.BPCER)
		fmt.Fprintf(w, "  worst-case attack type: %s\n", orNone(mr.m.WorstAttack))
		if mr.m.Failed > 0 {
			fmt.Fprintf(w, "  items that failed to run (counted as errors): %d\n", mr.m.Failed)
		}
		for _, c := range sortedMaps(mr.m.AloneStops) {
			fmt.Fprintf(w, "  %-16s alone stops: %s\n", c, countsText(mr.m.AloneStops[c]))
		}
	}
	fmt.Fprintln(w, "== full, per session (an UNCERTAIN attempt retried once with other challenges)")
	for _, t := range sortedRates(rep.Session.APCER) {
		fmt.Fprintf(w, "  APCER %-7s %s\n", t, rep.Session.APCER[t])
	}
	fmt.Fprintf(w, "  BPCER         %s\n", rep.Session.BPCER)
	fmt.Fprintf(w, "  UNCERTAIN attempts without retry material: %d\n", rep.Session.NoRetry)
	fmt.Fprintln(w, "== items")
	for _, it := range rep.Items {
		kind := it.Label
		if it.AttackType != "" {
			kind += "/" + it.AttackType
		}
		if it.Error != "" {
			fmt.Fprintf(w, "  %-34s %-16s ERROR %s\n", it.Name, kind, it.Error)
			continue
		}
		fmt.Fprintf(w, "  %-34s %-16s frames=%-4d passive=%-28s full=%-28s %s\n", it.Name, kind, it.Frames, it.Passive, orNone(it.Full), strings.Join(it.Script, ","))
		if it.Explain != "" {
			fmt.Fprint(w, indent(it.Explain, "      "))
		}
	}
}

func (r Rate) String() string {
	return fmt.Sprintf("%6.2f%%  (%d/%d)  95%% CI [%.2f%%, %.2f%%]", 100*r.Rate, r.Errors, r.Total, 100*r.CI95.Lo, 100*r.CI95.Hi)
}

func sortedMaps(m map[string]map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func countsText(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func sortedRates(m map[string]Rate) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return pre + strings.Join(lines, "\n"+pre) + "\n"
}

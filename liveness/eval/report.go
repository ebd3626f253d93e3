package eval

import (
	"fmt"
	"io"
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
}

// Report is the whole evaluation.
type Report struct {
	Passive ModeReport   `json:"passive"`
	Full    ModeReport   `json:"full"`
	Items   []ItemReport `json:"items"`
}

// ItemReport is one item's line.
type ItemReport struct {
	Name       string             `json:"name"`
	Label      string             `json:"label"`
	AttackType string             `json:"attack_type,omitempty"`
	Frames     int                `json:"frames"`
	Passive    string             `json:"passive"`
	Full       string             `json:"full,omitempty"`
	Scores     map[string]float64 `json:"scores,omitempty"`
	Explain    string             `json:"explain,omitempty"`
	Error      string             `json:"error,omitempty"`
}

// Summarise computes the metrics; items that failed to run are listed but
// not counted.
func Summarise(results []Result, explain bool) Report {
	var rep Report
	rep.Passive = mode(results, func(r Result) *liveness.Decision { return &r.Passive })
	rep.Full = mode(results, func(r Result) *liveness.Decision { return r.Full })
	for _, r := range results {
		ir := ItemReport{Name: r.Item.Name, Label: r.Item.Label, AttackType: r.Item.AttackType, Frames: r.Frames, Error: r.Err}
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

func mode(results []Result, pick func(Result) *liveness.Decision) ModeReport {
	acc, tot := map[string]int{}, map[string]int{}
	bfErr, bfTot := 0, 0
	for _, r := range results {
		d := pick(r)
		if r.Err != "" || d == nil {
			continue
		}
		live := d.Verdict == liveness.Live
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
	m := ModeReport{APCER: map[string]Rate{}, BPCER: rate(bfErr, bfTot)}
	worst := -1.0
	for _, t := range sortedKeys(tot) {
		m.APCER[t] = rate(acc[t], tot[t])
		if m.APCER[t].Rate > worst {
			worst, m.WorstAttack = m.APCER[t].Rate, t
		}
	}
	return m
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
	}
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
		fmt.Fprintf(w, "  %-34s %-16s frames=%-4d passive=%-28s full=%s\n", it.Name, kind, it.Frames, it.Passive, orNone(it.Full))
		if it.Explain != "" {
			fmt.Fprint(w, indent(it.Explain, "      "))
		}
	}
}

func (r Rate) String() string {
	return fmt.Sprintf("%6.2f%%  (%d/%d)  95%% CI [%.2f%%, %.2f%%]", 100*r.Rate, r.Errors, r.Total, 100*r.CI95.Lo, 100*r.CI95.Hi)
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

package vocab

// Verdict is the liveness (presentation-attack) decision, one spelling for
// the liveness package, the capture protocol and the session. Only a Live
// face is sent to INE. (INE's own wire word for Uncertain is
// "inconclusive"; the uplink request says that, docs/protocol.md.)
type Verdict string

// Verdicts.
const (
	Live      Verdict = "live"
	Spoof     Verdict = "spoof"
	Uncertain Verdict = "uncertain"
)

// Valid reports whether v is one of the three verdicts.
func (v Verdict) Valid() bool { return v == Live || v == Spoof || v == Uncertain }

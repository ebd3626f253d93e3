package vocab

import "fmt"

// ConsentProof is where the consent ledger put a consent record: its leaf
// index, the hash of its canonical bytes, and the size of the log and its
// signed checkpoint right after the append. It is not personal data (the
// record's personal fields are sealed; the hash and the checkpoint reveal
// none of them). The session carries it from the ConsentRecorder to the
// Verifier, whose adapter asks the ledger for the inclusion proof that
// travels to INE.
type ConsentProof struct {
	Index      int64    // leaf index of the record
	RecordHash [32]byte // tlog.RecordHash of the canonical record bytes
	TreeSize   int64    // size of the log after the append
	Checkpoint []byte   // signed note (C2SP checkpoint) of that log
}

// TypedAcceptance is a consent typed on the kiosk keyboard instead of a
// drawn signature, for a citizen who cannot sign on the screen (issue 13,
// finding 7): the acceptance phrase of the language of the notice the
// citizen read. The consent ledger records it as its own evidence kind.
type TypedAcceptance struct {
	Lang   string // the notice's language: "es-MX" or "en"
	Phrase string // exactly what was typed; AcceptancePhrase(Lang)
}

// AcceptancePhrase returns the phrase a citizen types to consent in lang
// ("" for a language without one). Changing one changes what the records
// of that language say: add a phrase, never edit one.
func AcceptancePhrase(lang string) string {
	switch lang {
	case "es-MX":
		return "ACEPTO"
	case "en":
		return "I ACCEPT"
	}
	return ""
}

// Valid reports whether t is the acceptance phrase of its language.
func (t TypedAcceptance) Valid() bool {
	want := AcceptancePhrase(t.Lang)
	return want != "" && t.Phrase == want
}

// Receipt is the consent receipt number a citizen can note at the end of
// a session: the record's leaf index and the first two bytes of its
// record hash, e.g. "000123-7F3A". It holds no personal data (the index
// is a position in the kiosk's log, the hash is over sealed fields), and
// an auditor finds the record by its index and checks the hash prefix.
func (p ConsentProof) Receipt() string {
	return fmt.Sprintf("%06d-%02X%02X", p.Index, p.RecordHash[0], p.RecordHash[1])
}

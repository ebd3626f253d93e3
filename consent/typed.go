package consent

import (
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/vocab"
)

// personalMagicV2 opens personal fields that carry a typed acceptance.
// Version 2 is version 1 followed by one more presence byte (and the
// acceptance); a record without one is still written as version 1, byte
// for byte as before.
const personalMagicV2 = "ventanilla.mx/consent-personal/v2\n"

// maxPhrase bounds the typed phrase (bytes).
const maxPhrase = 64

// TypedAcceptance is a consent given on the kiosk keyboard instead of a
// drawn signature (issue 13, finding 7): the citizen typed the acceptance
// phrase of the notice's language. It is sealed like the strokes, and the
// record says it is this kind of evidence (EvidenceTyped), never
// "handwritten".
type TypedAcceptance struct {
	Lang   string // token: the language of the screen, "es-MX" or "en"
	Phrase string // exactly what was typed, vocab.AcceptancePhrase(Lang)
}

// ErrTypedPhrase: the typed text is not the acceptance phrase of its
// language. It carries nothing typed.
var ErrTypedPhrase = errors.New("consent: typed acceptance: not the acceptance phrase of its language")

// Validate checks that t is the acceptance phrase of its language.
func (t *TypedAcceptance) Validate() error {
	if err := checkToken(t.Lang); err != nil {
		return fmt.Errorf("consent: typed acceptance: language: %w", err)
	}
	if !(vocab.TypedAcceptance{Lang: t.Lang, Phrase: t.Phrase}).Valid() {
		return ErrTypedPhrase
	}
	return nil
}

func encodeTyped(e *encoder, t *TypedAcceptance) {
	if t == nil {
		e.u8(0)
		return
	}
	e.u8(1)
	e.str16(t.Lang)
	e.str16(t.Phrase)
}

func decodeTyped(d *decoder) *TypedAcceptance {
	return &TypedAcceptance{Lang: d.str16("typed language", maxToken), Phrase: d.str16("typed phrase", maxPhrase)}
}

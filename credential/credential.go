package credential

import (
	"errors"
	"fmt"
	"strings"
)

// Model is the credential model letter printed on the card, 'A' to 'H'.
type Model byte

// The credential models. A-C are the older credentials read by clave de
// elector, D the first with a CIC, E-H the current ones.
const (
	ModelA Model = 'A'
	ModelB Model = 'B'
	ModelC Model = 'C'
	ModelD Model = 'D'
	ModelE Model = 'E'
	ModelF Model = 'F'
	ModelG Model = 'G'
	ModelH Model = 'H'
)

// ParseModel reads a model letter (case-insensitive).
func ParseModel(s string) (Model, error) {
	if len(s) != 1 {
		return 0, ErrModel
	}
	m := Model(strings.ToUpper(s)[0])
	if m < ModelA || m > ModelH {
		return 0, ErrModel
	}
	return m, nil
}

// String returns the letter.
func (m Model) String() string {
	if m < ModelA || m > ModelH {
		return "invalid"
	}
	return string(rune(m))
}

// Field names, as used in the protocol and in errors.
const (
	FieldClaveElector           = "claveElector"
	FieldNumeroEmision          = "numeroEmision"
	FieldOCR                    = "ocr"
	FieldCIC                    = "cic"
	FieldIdentificadorCiudadano = "identificadorCiudadano"
)

// Fields returns the field names model m requires, in protocol order.
func (m Model) Fields() []string {
	switch {
	case m >= ModelA && m <= ModelC:
		return []string{FieldClaveElector, FieldNumeroEmision, FieldOCR}
	case m == ModelD:
		return []string{FieldCIC, FieldOCR}
	case m >= ModelE && m <= ModelH:
		return []string{FieldCIC, FieldIdentificadorCiudadano}
	}
	return nil
}

// ErrModel reports an unknown model letter. The operator must pick A-H.
var ErrModel = errors.New("credential: model must be a letter A to H")

// FieldError says which field broke which rule. It never holds the value.
type FieldError struct {
	Field string // protocol field name
	Rule  string // what was expected, e.g. "18 characters" (English, for logs and people)
	// Code names the rule in a stable vocabulary (RuleCodes) that a UI
	// translates; the Rule text is never shown to a citizen.
	Code string
}

// Rule codes of FieldError.Code: stable, lower case, for translation.
const (
	RuleLength     = "length"       // wrong number of characters (the field's length is known)
	RuleDigits     = "digits"       // only digits 0-9, of the field's length
	RuleLetters    = "letters"      // clave de elector: letters A-Z in positions 1-6
	RuleBirthDate  = "birth_date"   // clave de elector: a birth date YYMMDD in positions 7-12
	RuleState      = "state"        // clave de elector: state code 01-32, 87 or 88 in positions 13-14
	RuleSex        = "sex"          // clave de elector: H or M in position 15
	RuleHomonymy   = "homonymy"     // clave de elector: digits in positions 16-18
	RuleNotInModel = "not_in_model" // the field does not belong to the model
	RuleUnknown    = "unknown_field"
)

// RuleCodes lists every FieldError.Code.
func RuleCodes() []string {
	return []string{RuleLength, RuleDigits, RuleLetters, RuleBirthDate, RuleState, RuleSex,
		RuleHomonymy, RuleNotInModel, RuleUnknown}
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("credential: field %s: want %s; re-type or re-scan it", e.Field, e.Rule)
}

// Credential holds the fields of one credential. Only the fields of its
// model are set; the others are empty. It is personal data: keep it in
// memory only for the session and never log it (String is redacted).
type Credential struct {
	Model                  Model
	ClaveElector           string
	NumeroEmision          string
	OCR                    string
	CIC                    string
	IdentificadorCiudadano string
}

// String is redacted so a Credential that reaches a log leaks only its model.
func (c Credential) String() string { return "credential(model " + c.Model.String() + ", redacted)" }

// GoString is redacted too (%#v).
func (c Credential) GoString() string { return c.String() }

// Get returns a field's value by protocol name.
func (c *Credential) Get(field string) string {
	switch field {
	case FieldClaveElector:
		return c.ClaveElector
	case FieldNumeroEmision:
		return c.NumeroEmision
	case FieldOCR:
		return c.OCR
	case FieldCIC:
		return c.CIC
	case FieldIdentificadorCiudadano:
		return c.IdentificadorCiudadano
	}
	return ""
}

// Set stores a field's value by protocol name, normalised (trimmed,
// upper-case). Unknown names are an error.
func (c *Credential) Set(field, value string) error {
	v := strings.ToUpper(strings.TrimSpace(value))
	switch field {
	case FieldClaveElector:
		c.ClaveElector = v
	case FieldNumeroEmision:
		c.NumeroEmision = v
	case FieldOCR:
		c.OCR = v
	case FieldCIC:
		c.CIC = v
	case FieldIdentificadorCiudadano:
		c.IdentificadorCiudadano = v
	default:
		return fmt.Errorf("credential: unknown field name %q", field)
	}
	return nil
}

// Validate checks that exactly the model's fields are set and each has the
// right shape. It returns the first *FieldError, or ErrModel.
func (c *Credential) Validate() error {
	fields := c.Model.Fields()
	if fields == nil {
		return ErrModel
	}
	want := make(map[string]bool, len(fields))
	for _, f := range fields {
		want[f] = true
		if err := ValidateField(f, c.Get(f)); err != nil {
			return err
		}
	}
	for _, f := range allFields {
		if !want[f] && c.Get(f) != "" {
			return &FieldError{Field: f, Rule: "empty for model " + c.Model.String(), Code: RuleNotInModel}
		}
	}
	return nil
}

var allFields = []string{FieldClaveElector, FieldNumeroEmision, FieldOCR, FieldCIC, FieldIdentificadorCiudadano}

// ValidateField checks one field's shape.
func ValidateField(field, v string) error {
	switch field {
	case FieldClaveElector:
		return validateClave(v)
	case FieldNumeroEmision:
		return digits(field, v, 2)
	case FieldOCR:
		return digits(field, v, 13)
	case FieldCIC, FieldIdentificadorCiudadano:
		return digits(field, v, 9)
	}
	return &FieldError{Field: "(unknown)", Rule: "a known field name", Code: RuleUnknown}
}

func digits(field, v string, n int) error {
	if len(v) != n || !allDigits(v) {
		return &FieldError{Field: field, Rule: fmt.Sprintf("%d digits", n), Code: RuleDigits}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

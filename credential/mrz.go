package credential

import (
	"errors"
	"fmt"
	"strings"
)

// TD1 is a parsed machine-readable zone (ICAO 9303 part 5, three lines of 30
// characters) from the back of an INE credential. Every check digit has been
// verified. It is personal data: never log it (String is redacted).
type TD1 struct {
	DocumentCode  string // "ID"
	IssuingState  string // "MEX"
	CIC           string // document number, 9 digits
	OCR           string // 13 digits from the optional data of line 1
	BirthDate     string // YYMMDD
	Sex           byte   // as printed: 'M', 'F', 'H' or '<'
	ExpiryDate    string // YYMMDD
	Nationality   string // "MEX"
	Surnames      []string
	GivenNames    []string
	OptionalData2 string // line 2 positions 19-29, fillers removed
}

// String is redacted.
func (m TD1) String() string { return "mrz(td1, redacted)" }

// GoString is redacted too.
func (m TD1) GoString() string { return m.String() }

// IdentificadorCiudadano is the last 9 digits of the OCR number.
func (m *TD1) IdentificadorCiudadano() string {
	if len(m.OCR) != 13 {
		return ""
	}
	return m.OCR[4:]
}

// Credential returns the verification fields for model (D reads CIC + OCR,
// E-H CIC + identificador ciudadano; A-C carry no MRZ).
func (m *TD1) Credential(model Model) (Credential, error) {
	c := Credential{Model: model}
	switch {
	case model == ModelD:
		c.CIC, c.OCR = m.CIC, m.OCR
	case model >= ModelE && model <= ModelH:
		c.CIC, c.IdentificadorCiudadano = m.CIC, m.IdentificadorCiudadano()
	default:
		return Credential{}, fmt.Errorf("credential: model %s has no MRZ; type the clave de elector instead", model)
	}
	return c, c.Validate()
}

// MRZError says which part of the MRZ failed. It never holds the text.
type MRZError struct {
	Part string // e.g. "line 1", "document number check digit"
	Rule string
}

func (e *MRZError) Error() string {
	return fmt.Sprintf("credential: MRZ %s: %s; re-scan the back of the credential", e.Part, e.Rule)
}

// ErrCheckDigit is wrapped by MRZ errors for a failed check digit (usually a
// misread character: re-scan).
var ErrCheckDigit = errors.New("check digit mismatch")

// ParseTD1 parses a TD1 MRZ. text holds three lines of 30 characters
// separated by newlines (CR LF accepted), or the 90 characters run together.
// Spaces are removed (OCR engines insert them). Letters must be upper case.
func ParseTD1(text string) (*TD1, error) {
	lines, err := splitTD1(text)
	if err != nil {
		return nil, err
	}
	m := &TD1{}
	if err := m.parseLine1(lines[0]); err != nil {
		return nil, err
	}
	if err := m.parseLine2(lines[1]); err != nil {
		return nil, err
	}
	composite := lines[0][5:30] + lines[1][0:7] + lines[1][8:15] + lines[1][18:29]
	if err := checkDigit("composite check digit", composite, lines[1][29]); err != nil {
		return nil, err
	}
	if err := m.parseLine3(lines[2]); err != nil {
		return nil, err
	}
	return m, nil
}

func splitTD1(text string) ([3]string, error) {
	var out [3]string
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' {
			return -1
		}
		return r
	}, text)
	clean = strings.Trim(clean, "\n")
	var lines []string
	if strings.Contains(clean, "\n") {
		lines = strings.Split(clean, "\n")
	} else if len(clean) == 90 {
		lines = []string{clean[0:30], clean[30:60], clean[60:90]}
	}
	if len(lines) != 3 {
		return out, &MRZError{Part: "layout", Rule: "want 3 lines of 30 characters"}
	}
	for i, l := range lines {
		if len(l) != 30 {
			return out, &MRZError{Part: fmt.Sprintf("line %d", i+1), Rule: "want 30 characters"}
		}
		if !mrzCharset(l) {
			return out, &MRZError{Part: fmt.Sprintf("line %d", i+1), Rule: "want only A-Z, 0-9 and <"}
		}
		out[i] = l
	}
	return out, nil
}

func mrzCharset(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<') {
			return false
		}
	}
	return true
}

func (m *TD1) parseLine1(l string) error {
	m.DocumentCode, m.IssuingState = strings.TrimRight(l[0:2], "<"), l[2:5]
	if l[0] != 'I' || m.IssuingState != "MEX" {
		return &MRZError{Part: "line 1", Rule: "want an ID document (I) issued by MEX"}
	}
	m.CIC = l[5:14]
	if !allDigits(m.CIC) {
		return &MRZError{Part: "document number", Rule: "want 9 digits (CIC)"}
	}
	if err := checkDigit("document number check digit", l[5:14], l[14]); err != nil {
		return err
	}
	m.OCR = strings.Trim(l[15:30], "<")
	if len(m.OCR) != 13 || !allDigits(m.OCR) {
		return &MRZError{Part: "line 1 optional data", Rule: "want the 13-digit OCR number padded with <"}
	}
	return nil
}

func (m *TD1) parseLine2(l string) error {
	m.BirthDate, m.Sex, m.ExpiryDate = l[0:6], l[7], l[8:14]
	if !validYYMMDD(m.BirthDate) {
		return &MRZError{Part: "birth date", Rule: "want YYMMDD"}
	}
	if err := checkDigit("birth date check digit", l[0:6], l[6]); err != nil {
		return err
	}
	if !strings.ContainsRune("MFH<", rune(m.Sex)) {
		return &MRZError{Part: "sex", Rule: "want M, F, H or <"}
	}
	if !validYYMMDD(m.ExpiryDate) {
		return &MRZError{Part: "expiry date", Rule: "want YYMMDD"}
	}
	if err := checkDigit("expiry date check digit", l[8:14], l[14]); err != nil {
		return err
	}
	m.Nationality = l[15:18]
	if !allLetters(m.Nationality) {
		return &MRZError{Part: "nationality", Rule: "want three letters"}
	}
	m.OptionalData2 = strings.Trim(l[18:29], "<")
	return nil
}

func (m *TD1) parseLine3(l string) error {
	primary, secondary, _ := strings.Cut(strings.TrimRight(l, "<"), "<<")
	if primary == "" {
		return &MRZError{Part: "name", Rule: "want SURNAME<SURNAME<<GIVEN<NAMES"}
	}
	m.Surnames = nameParts(primary)
	m.GivenNames = nameParts(secondary)
	return nil
}

func nameParts(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "<") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CheckDigit computes the ICAO 9303 check digit of s: weights 7, 3, 1
// repeating; digits count as their value, A-Z as 10-35, < as 0. It returns
// false if s holds another character.
func CheckDigit(s string) (byte, bool) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		var v int
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, false
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), true
}

func checkDigit(part, field string, got byte) error {
	want, ok := CheckDigit(field)
	if !ok || want != got {
		return &MRZError{Part: part, Rule: ErrCheckDigit.Error()}
	}
	return nil
}

// Unwrap lets errors.Is(err, ErrCheckDigit) find check digit failures.
func (e *MRZError) Unwrap() error {
	if e.Rule == ErrCheckDigit.Error() {
		return ErrCheckDigit
	}
	return nil
}

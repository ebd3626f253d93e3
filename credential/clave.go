package credential

import "strconv"

// The clave de elector (18 characters) is built by the Registro Federal de
// Electores as:
//
//	positions  1-6   six letters from the names: the first two consonants
//	                 of the first surname, of the second surname and of the
//	                 given name (X stands in for a missing name or letter)
//	positions  7-12  birth date YYMMDD
//	positions 13-14  state of birth, 01-32 (87 born abroad, 88 naturalised)
//	position  15     sex, H (hombre) or M (mujer)
//	positions 16-18  homonymy digits that make the key unique
//
// It has no published check digit, so only this shape is validated. The
// letters are not re-derived from the name: the kiosk does not have it.

// validateClave checks the shape above. Errors name the part that failed.
func validateClave(v string) error {
	const f = FieldClaveElector
	switch {
	case len(v) != 18:
		return &FieldError{Field: f, Rule: "18 characters", Code: RuleLength}
	case !allLetters(v[0:6]):
		return &FieldError{Field: f, Rule: "letters A-Z in positions 1-6", Code: RuleLetters}
	case !validYYMMDD(v[6:12]):
		return &FieldError{Field: f, Rule: "a birth date YYMMDD in positions 7-12", Code: RuleBirthDate}
	case !validState(v[12:14]):
		return &FieldError{Field: f, Rule: "a state code 01-32, 87 or 88 in positions 13-14", Code: RuleState}
	case v[14] != 'H' && v[14] != 'M':
		return &FieldError{Field: f, Rule: "H or M in position 15", Code: RuleSex}
	case !allDigits(v[15:18]):
		return &FieldError{Field: f, Rule: "digits in positions 16-18", Code: RuleHomonymy}
	}
	return nil
}

// validYYMMDD accepts a calendar date in either century (the two-digit year
// is ambiguous; 29 February is accepted when the year is a leap year in
// 19YY or 20YY).
func validYYMMDD(s string) bool {
	if len(s) != 6 || !allDigits(s) {
		return false
	}
	yy, _ := strconv.Atoi(s[0:2])
	mm, _ := strconv.Atoi(s[2:4])
	dd, _ := strconv.Atoi(s[4:6])
	if mm < 1 || mm > 12 || dd < 1 {
		return false
	}
	return dd <= daysIn(1900+yy, mm) || dd <= daysIn(2000+yy, mm)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func validState(s string) bool {
	if !allDigits(s) {
		return false
	}
	n, _ := strconv.Atoi(s)
	return (n >= 1 && n <= 32) || n == 87 || n == 88
}

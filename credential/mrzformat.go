package credential

import (
	"fmt"
	"strings"
)

// FormatTD1 renders m as three 30-character lines joined by "\n", computing
// every check digit. It is the inverse of ParseTD1, for test fixtures and
// device emulators that print synthetic credentials.
func FormatTD1(m *TD1) (string, error) {
	if len(m.CIC) != 9 || len(m.OCR) != 13 || len(m.BirthDate) != 6 || len(m.ExpiryDate) != 6 {
		return "", fmt.Errorf("credential: format MRZ: CIC 9, OCR 13 and dates 6 characters are required")
	}
	l1 := pad("ID"+"MEX"+m.CIC+cd(m.CIC)+"<<"+m.OCR, 30)
	nat := m.Nationality
	if nat == "" {
		nat = "MEX"
	}
	l2 := m.BirthDate + cd(m.BirthDate) + string(m.Sex) + m.ExpiryDate + cd(m.ExpiryDate) + nat + pad(m.OptionalData2, 11)
	l2 += cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	name := strings.Join(m.Surnames, "<")
	if len(m.GivenNames) > 0 {
		name += "<<" + strings.Join(m.GivenNames, "<")
	}
	l3 := pad(name, 30)
	if len(l1) != 30 || len(l2) != 30 || len(l3) != 30 {
		return "", fmt.Errorf("credential: format MRZ: a field is too long for TD1")
	}
	return l1 + "\n" + l2 + "\n" + l3, nil
}

func cd(s string) string {
	c, _ := CheckDigit(s)
	return string(c)
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:min(len(s), n+1)] // too long stays too long so the caller sees it
	}
	return s + strings.Repeat("<", n-len(s))
}

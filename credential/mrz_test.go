package credential

import (
	"errors"
	"strings"
	"testing"
)

// The ICAO 9303 part 5 TD1 specimen (fictional state UTO).
func TestCheckDigitICAOSpecimen(t *testing.T) {
	for in, want := range map[string]byte{"D23145890": '7', "740812": '2', "120415": '9', "L898902C3": '6', "<<<": '0'} {
		if got, ok := CheckDigit(in); !ok || got != want {
			t.Errorf("CheckDigit(%s) = %c, want %c", in, got, want)
		}
	}
	if _, ok := CheckDigit("ab"); ok {
		t.Error("lower case accepted")
	}
}

func sampleTD1() *TD1 {
	return &TD1{CIC: "156549854", OCR: "4590105283647", BirthDate: "800705", Sex: 'H',
		ExpiryDate: "301231", Nationality: "MEX", Surnames: []string{"GARCIA", "VELAZQUEZ"}, GivenNames: []string{"MARIA", "JOSE"}}
}

func TestParseTD1RoundTrip(t *testing.T) {
	text, err := FormatTD1(sampleTD1())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "IDMEX1565498549<<4590105283647") {
		t.Fatalf("line 1 = %q", strings.Split(text, "\n")[0])
	}
	for _, variant := range []string{text, strings.ReplaceAll(text, "\n", "\r\n"), strings.ReplaceAll(text, "\n", ""), " " + strings.ReplaceAll(text, "<<", "< <") + "\n"} {
		m, err := ParseTD1(variant)
		if err != nil {
			t.Fatalf("%q: %v", variant, err)
		}
		if m.CIC != "156549854" || m.IdentificadorCiudadano() != "105283647" || m.Sex != 'H' ||
			strings.Join(m.Surnames, " ") != "GARCIA VELAZQUEZ" || strings.Join(m.GivenNames, " ") != "MARIA JOSE" {
			t.Fatalf("parsed %+v", *m)
		}
	}
	m, _ := ParseTD1(text)
	c, err := m.Credential(ModelG)
	if err != nil || c.CIC != "156549854" || c.IdentificadorCiudadano != "105283647" {
		t.Fatalf("Credential(G) = %v, %v", c, err)
	}
	if c, err = m.Credential(ModelD); err != nil || c.OCR != "4590105283647" {
		t.Fatalf("Credential(D): %v", err)
	}
	if _, err := m.Credential(ModelB); err == nil {
		t.Fatal("model B from MRZ accepted")
	}
}

// flip sets one character; c == 0 bumps a digit by one (mod 10).
func flip(text string, line, pos int, c byte) string {
	ls := strings.Split(text, "\n")
	b := []byte(ls[line])
	if c == 0 {
		c = '0' + (b[pos]-'0'+1)%10
	}
	b[pos] = c
	ls[line] = string(b)
	return strings.Join(ls, "\n")
}

func TestParseTD1Rejects(t *testing.T) {
	good, _ := FormatTD1(sampleTD1())
	cases := map[string]struct {
		text     string
		checkErr bool
	}{
		"cic digit misread":   {flip(good, 0, 7, 0), true},
		"cic check digit":     {flip(good, 0, 14, 0), true},
		"birth check":         {flip(good, 1, 6, 0), true},
		"expiry check":        {flip(good, 1, 14, 0), true},
		"composite (ocr)":     {flip(good, 0, 20, 0), true},
		"two lines":           {strings.Join(strings.Split(good, "\n")[:2], "\n"), false},
		"short line":          {strings.Replace(good, "<<4590", "<4590", 1), false},
		"lower case":          {strings.ToLower(good), false},
		"not MEX":             {strings.Replace(good, "IDMEX", "IDUTO", 1), false},
		"ocr not digits":      {flip(good, 0, 29, 'A'), false},
		"bad month":           {flip(good, 1, 2, '9'), false},
		"bad sex":             {flip(good, 1, 7, 'X'), false},
		"empty":               {"", false},
		"name without fields": {strings.Split(good, "\n")[0] + "\n" + strings.Split(good, "\n")[1] + "\n" + strings.Repeat("<", 30), false},
	}
	for name, tc := range cases {
		_, err := ParseTD1(tc.text)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if errors.Is(err, ErrCheckDigit) != tc.checkErr {
			t.Errorf("%s: err = %v, check-digit error %v", name, err, tc.checkErr)
		}
		if strings.Contains(err.Error(), "156549854") || strings.Contains(err.Error(), "GARCIA") {
			t.Errorf("%s: error echoes data: %v", name, err)
		}
	}
}

func FuzzParseTD1(f *testing.F) {
	good, _ := FormatTD1(sampleTD1())
	f.Add(good)
	f.Add(strings.ReplaceAll(good, "\n", ""))
	f.Add(flip(good, 0, 14, 0))
	f.Add("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseTD1(text)
		if err != nil {
			return
		}
		again, err := FormatTD1(m)
		if err != nil {
			t.Fatalf("parsed MRZ does not format: %v", err)
		}
		m2, err := ParseTD1(again)
		if err != nil || m2.CIC != m.CIC || m2.OCR != m.OCR || m2.BirthDate != m.BirthDate {
			t.Fatalf("round trip differs: %v", err)
		}
	})
}

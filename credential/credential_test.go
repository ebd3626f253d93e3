package credential

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const (
	goodClave = "GMVLMR80070501M100"
	goodOCR   = "4590105283647"
)

func TestValidateModels(t *testing.T) {
	cases := []struct {
		name string
		c    Credential
		err  string // field name expected in the error, "" for valid
	}{
		{"A ok", Credential{Model: ModelA, ClaveElector: goodClave, NumeroEmision: "03", OCR: goodOCR}, ""},
		{"C ok", Credential{Model: ModelC, ClaveElector: goodClave, NumeroEmision: "00", OCR: goodOCR}, ""},
		{"D ok", Credential{Model: ModelD, CIC: "156549854", OCR: goodOCR}, ""},
		{"H ok", Credential{Model: ModelH, CIC: "156549854", IdentificadorCiudadano: "105283647"}, ""},
		{"A missing emision", Credential{Model: ModelA, ClaveElector: goodClave, OCR: goodOCR}, FieldNumeroEmision},
		{"B short OCR", Credential{Model: ModelB, ClaveElector: goodClave, NumeroEmision: "01", OCR: "123"}, FieldOCR},
		{"D letter in CIC", Credential{Model: ModelD, CIC: "15654985A", OCR: goodOCR}, FieldCIC},
		{"E short id", Credential{Model: ModelE, CIC: "156549854", IdentificadorCiudadano: "10528364"}, FieldIdentificadorCiudadano},
		{"E extra OCR", Credential{Model: ModelE, CIC: "156549854", IdentificadorCiudadano: "105283647", OCR: goodOCR}, FieldOCR},
		{"A extra CIC", Credential{Model: ModelA, ClaveElector: goodClave, NumeroEmision: "03", OCR: goodOCR, CIC: "156549854"}, FieldCIC},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.err {
				t.Fatalf("err = %v, want a FieldError on %s", err, tc.err)
			}
		})
	}
	if err := (&Credential{Model: 'Z'}).Validate(); !errors.Is(err, ErrModel) {
		t.Fatalf("model Z: %v", err)
	}
}

func TestClaveElectorShape(t *testing.T) {
	bad := map[string]string{
		"GMVLMR80070501M10":   "18 characters",
		"GMVLM180070501M100":  "letters",
		"GMVLMR80130501M100":  "birth date",
		"GMVLMR80023001M100":  "birth date",
		"GMVLMR80070533M100":  "state",
		"GMVLMR80070500M100":  "state",
		"GMVLMR80070501X100":  "H or M",
		"GMVLMR80070501M1A0":  "digits",
		"GMVLMR800705O1M100":  "state",
		"gmvlmr80070501m100x": "18 characters",
	}
	for v, rule := range bad {
		err := ValidateField(FieldClaveElector, v)
		if err == nil || !strings.Contains(err.Error(), rule) {
			t.Errorf("%s: err = %v, want rule %q", v, err, rule)
		}
	}
	for _, v := range []string{goodClave, "XXXXXX00022987H000", "ABCDEF04022988M999"} {
		if err := ValidateField(FieldClaveElector, v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
}

func TestErrorsNeverEchoValues(t *testing.T) {
	secret := "ZQZQZQ99999999Q999"
	for _, f := range allFields {
		err := ValidateField(f, secret)
		if err == nil {
			t.Fatalf("%s accepted garbage", f)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "ZQZQ") {
			t.Fatalf("%s error echoes the value: %v", f, err)
		}
	}
	c := Credential{Model: ModelA, ClaveElector: secret}
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		if strings.Contains(s, "ZQZQ") {
			t.Fatalf("formatting leaks the value: %s", s)
		}
	}
}

func TestSetNormalises(t *testing.T) {
	var c Credential
	c.Model, _ = ParseModel("e")
	if err := c.Set(FieldCIC, " 156549854 "); err != nil {
		t.Fatal(err)
	}
	c.Set(FieldIdentificadorCiudadano, "105283647")
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("curp", "x"); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := ParseModel("I"); err == nil {
		t.Fatal("model I accepted")
	}
}

func FuzzValidateField(f *testing.F) {
	for _, s := range []string{goodClave, goodOCR, "156549854", "03", "", "GMVLMR80023001M100"} {
		f.Add(FieldClaveElector, s)
		f.Add(FieldOCR, s)
		f.Add(FieldCIC, s)
	}
	f.Fuzz(func(t *testing.T, field, v string) {
		err := ValidateField(field, v)
		if err != nil && len(v) >= 4 && strings.Contains(err.Error(), v) {
			t.Fatalf("error echoes value")
		}
		if err == nil && len(v) != map[string]int{FieldClaveElector: 18, FieldOCR: 13, FieldCIC: 9, FieldIdentificadorCiudadano: 9, FieldNumeroEmision: 2}[field] {
			t.Fatalf("accepted %d-byte %s", len(v), field)
		}
	})
}

package consent

import (
	"fmt"
)

const (
	personalMagic = "ventanilla.mx/consent-personal/v1\n"
	maxName       = 512
	maxCredValue  = 64
	maxCerts      = 8
	maxCert       = 16 << 10
	maxSig        = 2048
)

// Credential is one credential number typed or read at the counter (for
// example kind "claveElector", "cic", "ocr", "identificadorCiudadano",
// "numeroEmision", "curp"). Personal data.
type Credential struct {
	Kind  string // token
	Value string // UTF-8, at most 64 bytes
}

// Personal holds the personal fields of a consent. They are sealed to the
// archive key before anything is stored; the kiosk never reads them back.
type Personal struct {
	Name        string
	Credentials []Credential
	Handwritten *Strokes         // handwritten signature, or nil
	EFirma      *EFirma          // SAT e.firma, or nil
	Typed       *TypedAcceptance // acceptance typed on the keyboard, or nil (personal fields v2)
}

// Evidence returns the kinds of signature evidence p carries.
func (p *Personal) Evidence() Evidence {
	var e Evidence
	if p.Handwritten != nil {
		e |= EvidenceHandwritten
	}
	if p.EFirma != nil {
		e |= EvidenceEFirma
	}
	if p.Typed != nil {
		e |= EvidenceTyped
	}
	return e
}

func (p *Personal) validate() error {
	if len(p.Name) > maxName {
		return fmt.Errorf("consent: personal: name over %d bytes", maxName)
	}
	if len(p.Credentials) > maxList {
		return fmt.Errorf("consent: personal: %d credentials, limit %d", len(p.Credentials), maxList)
	}
	for i, c := range p.Credentials {
		if err := checkToken(c.Kind); err != nil {
			return fmt.Errorf("consent: personal: credential %d kind: %w", i, err)
		}
		if len(c.Value) > maxCredValue {
			return fmt.Errorf("consent: personal: credential %d over %d bytes", i, maxCredValue)
		}
	}
	if p.Evidence() == 0 {
		return fmt.Errorf("consent: personal: no signature evidence (handwritten, e.firma or typed)")
	}
	if p.Typed != nil {
		if err := p.Typed.Validate(); err != nil {
			return err
		}
	}
	return p.validateEFirma()
}

func (p *Personal) validateEFirma() error {
	f := p.EFirma
	if f == nil {
		return nil
	}
	if len(f.Certificate) == 0 || len(f.Certificate) > maxCert || len(f.Chain) > maxCerts || len(f.Signature) > maxSig {
		return fmt.Errorf("consent: personal: e.firma sizes out of range")
	}
	for _, c := range f.Chain {
		if len(c) > maxCert {
			return fmt.Errorf("consent: personal: e.firma chain certificate over %d bytes", maxCert)
		}
	}
	return nil
}

// MarshalBinary returns the canonical encoding of p (docs/consent.md). The
// caller owns the result and should clear it when done.
func (p *Personal) MarshalBinary() ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	e := &encoder{}
	if p.Typed != nil {
		e.raw([]byte(personalMagicV2))
	} else {
		e.raw([]byte(personalMagic))
	}
	e.str16(p.Name)
	e.u16(uint16(len(p.Credentials)))
	for _, c := range p.Credentials {
		e.str16(c.Kind)
		e.str16(c.Value)
	}
	if err := encodeHandwritten(e, p.Handwritten); err != nil {
		return nil, err
	}
	encodeEFirma(e, p.EFirma)
	if p.Typed != nil {
		encodeTyped(e, p.Typed)
	}
	return e.b, nil
}

func encodeHandwritten(e *encoder, s *Strokes) error {
	if s == nil {
		e.u8(0)
		return nil
	}
	b, err := MarshalStrokes(s)
	if err != nil {
		return err
	}
	e.u8(1)
	e.blob32(b)
	return nil
}

func encodeEFirma(e *encoder, f *EFirma) {
	if f == nil {
		e.u8(0)
		return
	}
	e.u8(1)
	e.blob32(f.Certificate)
	e.u16(uint16(len(f.Chain)))
	for _, c := range f.Chain {
		e.blob32(c)
	}
	e.blob32(f.Signature)
}

// ParsePersonal decodes the canonical encoding of personal fields.
func ParsePersonal(b []byte) (*Personal, error) {
	d := &decoder{b: b}
	p := &Personal{}
	v2 := len(b) >= len(personalMagicV2) && string(b[:len(personalMagicV2)]) == personalMagicV2
	if v2 {
		d.magic(personalMagicV2)
	} else {
		d.magic(personalMagic)
	}
	p.Name = d.str16("name", maxName)
	n := int(d.u16("credential count"))
	if d.err == nil && n > maxList {
		d.fail("credentials: %d entries, limit %d", n, maxList)
	}
	for i := 0; i < n && d.err == nil; i++ {
		p.Credentials = append(p.Credentials, Credential{Kind: d.str16("credential kind", maxToken),
			Value: d.str16("credential value", maxCredValue)})
	}
	if d.boolean("handwritten present") {
		sd := &decoder{b: d.blob32("handwritten", maxSealed)}
		p.Handwritten = decodeStrokes(sd)
		if err := sd.end(); err != nil && d.err == nil {
			d.fail("handwritten: %v", err)
		}
	}
	if d.boolean("e.firma present") {
		p.EFirma = decodeEFirma(d)
	}
	if v2 {
		// Version 2 exists to carry a typed acceptance: absent, the
		// canonical form is version 1.
		if !d.boolean("typed present") && d.err == nil {
			d.fail("version 2 without a typed acceptance (canonical form is version 1)")
		}
		if d.err == nil {
			p.Typed = decodeTyped(d)
		}
	}
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("consent: parse personal fields: %w", err)
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if p.Handwritten != nil {
		if err := p.Handwritten.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	return p, nil
}

func decodeEFirma(d *decoder) *EFirma {
	f := &EFirma{Certificate: d.blob32("e.firma certificate", maxCert)}
	n := int(d.u16("e.firma chain count"))
	if d.err == nil && n > maxCerts {
		d.fail("e.firma chain: %d certificates, limit %d", n, maxCerts)
	}
	for i := 0; i < n && d.err == nil; i++ {
		f.Chain = append(f.Chain, d.blob32("e.firma chain certificate", maxCert))
	}
	f.Signature = d.blob32("e.firma signature", maxSig)
	return f
}

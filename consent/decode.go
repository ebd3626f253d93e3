package consent

import (
	"fmt"
	"time"
)

// ParseStatement decodes the canonical bytes of a statement. It accepts only
// the canonical form: ParseStatement(b).Bytes() == b.
func ParseStatement(b []byte) (*Statement, error) {
	d := &decoder{b: b}
	s := decodeStatement(d)
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("consent: parse statement: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return s, nil
}

// ParseRecord decodes the canonical bytes of a record (body and signature).
// It accepts only the canonical form: ParseRecord(b).Bytes() == b. It does not
// check the signature; see VerifyRecord.
func ParseRecord(b []byte) (*Record, error) {
	r, _, err := parseRecord(b)
	return r, err
}

// parseRecord also returns the length of the signed body.
func parseRecord(b []byte) (*Record, int, error) {
	d := &decoder{b: b}
	r := &Record{Statement: *decodeStatement(d)}
	r.Evidence = Evidence(d.u8("evidence kinds"))
	r.Sealed.KEM = d.u16("sealed KEM id")
	r.Sealed.KDF = d.u16("sealed KDF id")
	r.Sealed.AEAD = d.u16("sealed AEAD id")
	r.Sealed.Data = d.blob32("sealed box", maxSealed)
	bodyLen := d.off
	r.Signature = append([]byte(nil), d.take(signatureSz, "device signature")...)
	if err := d.end(); err != nil {
		return nil, 0, fmt.Errorf("consent: parse record: %w", err)
	}
	if err := r.validate(); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return r, bodyLen, nil
}

func decodeStatement(d *decoder) *Statement {
	s := &Statement{}
	d.magic(statementMagic)
	copy(s.ID[:], d.take(16, "id"))
	s.KioskID = d.str16("kiosk id", maxToken)
	s.OperatorID = d.str16("operator id", maxToken)
	s.Time = time.Unix(0, d.i64("time")).UTC()
	s.Clock.State = ClockState(d.u8("clock state"))
	s.Clock.MaxErrorMillis = d.u32("clock max error")
	s.Notice.ID = d.str16("notice id", maxToken)
	s.Notice.Version = d.str16("notice version", maxToken)
	copy(s.Notice.SHA256[:], d.take(32, "notice sha256"))
	s.Purposes = decodeTokens(d, "purposes")
	s.Requests = decodeTokens(d, "request ids")
	return s
}

func decodeTokens(d *decoder, what string) []string {
	n := int(d.u16(what + " count"))
	if d.err == nil && n > maxList {
		d.fail("%s: %d entries, limit %d", what, n, maxList)
		return nil
	}
	var l []string
	for i := 0; i < n && d.err == nil; i++ {
		l = append(l, d.str16(what, maxToken))
	}
	return l
}

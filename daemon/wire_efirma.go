package daemon

import (
	"errors"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/efirma"
	"github.com/ventanilla-mx/ventanilla/session"
)

// signEFirma signs the statement with the citizen's e.firma files (docs/
// kiosk.md, "e.firma at the counter"): the .key is opened in locked memory
// and wiped by efirma.Sign; the chain is verified by the ledger's append.
func (a ledgerConsent) signEFirma(st *consent.Statement, f *session.EFirmaFiles) (*consent.EFirma, error) {
	if a.mem == nil {
		return nil, errors.New("e.firma: no locked memory")
	}
	sb, err := st.Bytes()
	if err != nil {
		return nil, err
	}
	ef, err := efirma.Sign(a.mem, f.Cert, f.Key, f.Password, sb)
	if err != nil {
		return nil, efirmaRefusal(err)
	}
	return ef, nil
}

// efirmaReasons maps the e.firma errors to the refusal reasons the kiosk
// API returns; no error in this table carries the subject or a key byte.
var efirmaReasons = []struct {
	err    error
	reason string
}{
	{efirma.ErrPassword, session.EFirmaWrongPassword},
	{efirma.ErrNotCertKey, session.EFirmaNotCertKey},
	{efirma.ErrUnsupported, session.EFirmaUnsupported},
	{efirma.ErrKeyFormat, session.EFirmaUnreadable},
	{efirma.ErrCertificate, session.EFirmaUnreadable},
	{consent.ErrEFirmaCertificate, session.EFirmaUnreadable},
	{consent.ErrEFirmaExpired, session.EFirmaExpired},
	{consent.ErrEFirmaUntrusted, session.EFirmaUntrusted},
	{consent.ErrEFirmaUsage, session.EFirmaNotForSigning},
	{consent.ErrEFirmaSignature, session.EFirmaNotCertKey},
}

// efirmaRefusal turns an e.firma error into a *session.EFirmaError; any
// other error passes unchanged (the consent was not recorded).
func efirmaRefusal(err error) error {
	for _, r := range efirmaReasons {
		if errors.Is(err, r.err) {
			return &session.EFirmaError{Reason: r.reason}
		}
	}
	return err
}

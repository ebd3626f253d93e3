package consent

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EFirma is a citizen's SAT e.firma (advanced electronic signature) over the
// canonical statement bytes. The certificate names the citizen, so the whole
// value is a personal field and is only ever stored sealed.
type EFirma struct {
	Certificate []byte   // the signer's X.509 certificate, DER
	Chain       [][]byte // intermediate CA certificates, DER, may be empty
	Signature   []byte   // RSASSA-PKCS1-v1_5 with SHA-256 over Statement.Bytes()
}

// Errors of e.firma verification. They never carry the certificate's
// subject. None is retryable: the same input gives the same answer.
var (
	ErrEFirmaCertificate = errors.New("consent: e.firma: certificate unreadable or not RSA")
	ErrEFirmaUntrusted   = errors.New("consent: e.firma: certificate not issued by a configured CA")
	ErrEFirmaExpired     = errors.New("consent: e.firma: certificate not valid at the consent time")
	ErrEFirmaUsage       = errors.New("consent: e.firma: certificate not for digital signatures")
	ErrEFirmaSignature   = errors.New("consent: e.firma: signature does not match the statement")
)

// SAT subject attributes.
var (
	oidX500UniqueIdentifier = asn1.ObjectIdentifier{2, 5, 4, 45} // SAT puts the RFC here
	oidSerialNumber         = asn1.ObjectIdentifier{2, 5, 4, 5}  // SAT puts the CURP here
)

// EFirmaSubject is who an e.firma certificate names. Personal data: print it
// only in the auditor's `consent open`.
type EFirmaSubject struct {
	Name, RFC, CURP string
	Serial          string // certificate serial number, hex
	NotBefore       time.Time
	NotAfter        time.Time
}

// Verify checks the certificate chain against roots at time at (the
// statement's time), the key usage, and the signature over statement.
func (e *EFirma) Verify(statement []byte, at time.Time, roots *x509.CertPool) (*EFirmaSubject, error) {
	cert, err := x509.ParseCertificate(e.Certificate)
	if err != nil {
		return nil, ErrEFirmaCertificate
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, ErrEFirmaCertificate
	}
	if err := e.verifyChain(cert, at, roots); err != nil {
		return nil, err
	}
	if cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, ErrEFirmaUsage
	}
	sum := sha256.Sum256(statement)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], e.Signature) != nil {
		return nil, ErrEFirmaSignature
	}
	return subjectOf(cert), nil
}

func (e *EFirma) verifyChain(cert *x509.Certificate, at time.Time, roots *x509.CertPool) error {
	if roots == nil {
		return ErrEFirmaUntrusted
	}
	inter := x509.NewCertPool()
	for _, der := range e.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("%w (intermediate)", ErrEFirmaCertificate)
		}
		inter.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	var invalid x509.CertificateInvalidError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return ErrEFirmaExpired
	}
	return ErrEFirmaUntrusted
}

// Subject returns who the certificate names, without verifying anything.
func (e *EFirma) Subject() (*EFirmaSubject, error) {
	cert, err := x509.ParseCertificate(e.Certificate)
	if err != nil {
		return nil, ErrEFirmaCertificate
	}
	return subjectOf(cert), nil
}

func subjectOf(c *x509.Certificate) *EFirmaSubject {
	s := &EFirmaSubject{Name: c.Subject.CommonName, Serial: c.SerialNumber.Text(16),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC()}
	for _, a := range c.Subject.Names {
		v, _ := a.Value.(string)
		switch {
		case a.Type.Equal(oidX500UniqueIdentifier):
			s.RFC = firstOfPair(v)
		case a.Type.Equal(oidSerialNumber):
			s.CURP = firstOfPair(v)
		}
	}
	return s
}

// firstOfPair takes "X / Y" (holder / legal representative, as SAT writes
// them) to "X".
func firstOfPair(v string) string {
	first, _, _ := strings.Cut(v, "/")
	return strings.TrimSpace(first)
}

package consenttest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
)

// SATCA is a test certificate authority shaped like SAT's: it issues RSA
// certificates whose subject carries the RFC in x500UniqueIdentifier
// (2.5.4.45) and the CURP in serialNumber (2.5.4.5).
type SATCA struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
	Pool *x509.CertPool
}

// Citizen is an issued e.firma: certificate and private key.
type Citizen struct {
	Cert []byte // DER
	Key  *rsa.PrivateKey
}

var (
	oidRFC  = asn1.ObjectIdentifier{2, 5, 4, 45}
	oidCURP = asn1.ObjectIdentifier{2, 5, 4, 5}
)

// rsaKeys caches generated keys: RSA generation is slow and tests only need
// distinct keys, not fresh ones.
var rsaKeys struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}

// RSAKey returns the n-th cached 2048-bit test key.
func RSAKey(t testing.TB, n int) *rsa.PrivateKey {
	t.Helper()
	rsaKeys.Lock()
	defer rsaKeys.Unlock()
	for len(rsaKeys.keys) <= n {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		rsaKeys.keys = append(rsaKeys.keys, k)
	}
	return rsaKeys.keys[n]
}

// NewSATCA makes a self-signed root valid 2020..2040 with key number keyN.
func NewSATCA(t testing.TB, keyN int) *SATCA {
	t.Helper()
	key := RSAKey(t, keyN)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(1000 + keyN)),
		Subject: pkix.Name{CommonName: "AC DE PRUEBAS DEL SERVICIO DE ADMINISTRACION TRIBUTARIA",
			Organization: []string{"Servicio de Administracion Tributaria (pruebas)"}, Country: []string{"MX"}},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &SATCA{Cert: cert, Key: key, Pool: pool}
}

// IssueOpts shape a citizen certificate.
type IssueOpts struct {
	Name, RFC, CURP     string
	NotBefore, NotAfter time.Time
	KeyUsage            x509.KeyUsage // 0 means DigitalSignature|ContentCommitment
	KeyN                int           // which cached RSA key
}

// Issue makes a citizen e.firma certificate.
func (ca *SATCA) Issue(t testing.TB, o IssueOpts) *Citizen {
	t.Helper()
	key := RSAKey(t, o.KeyN)
	if o.KeyUsage == 0 {
		o.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject: pkix.Name{CommonName: o.Name, Country: []string{"MX"}, ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: oidRFC, Value: o.RFC + " / "}, {Type: oidCURP, Value: o.CURP + " / "}}},
		NotBefore: o.NotBefore, NotAfter: o.NotAfter, KeyUsage: o.KeyUsage,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return &Citizen{Cert: der, Key: key}
}

// DefaultCitizen issues a certificate valid 2024..2028 for a synthetic person.
func (ca *SATCA) DefaultCitizen(t testing.TB) *Citizen {
	return ca.Issue(t, IssueOpts{Name: "PERSONA SINTETICA DE PRUEBA", RFC: "XAXX010101000", CURP: "XEXX010101HNEXXXA4",
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), KeyN: 1})
}

// Sign makes the citizen's e.firma over statement bytes.
func (c *Citizen) Sign(t testing.TB, statement []byte) *consent.EFirma {
	t.Helper()
	sum := sha256.Sum256(statement)
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.Key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return &consent.EFirma{Certificate: c.Cert, Signature: sig}
}

// WithCA gives the fixture a SAT-like CA (RSA key 0) trusted for e.firma.
func (f *Fixture) WithCA(t testing.TB) *Fixture {
	f.CA = NewSATCA(t, 0)
	return f
}

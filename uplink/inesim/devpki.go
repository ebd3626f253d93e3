package inesim

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// DevPKI is a development key set: a test CA, the INE server certificate,
// one kiosk client certificate, INE's HPKE key pair and INE's answer
// signing key. Never use it outside development and tests.
type DevPKI struct {
	KioskID                 string
	CACert, CAKey           []byte // PEM
	ServerCert, ServerKey   []byte // PEM, SANs: localhost, 127.0.0.1, ::1 and extra hosts
	ClientCert, ClientKey   []byte // PEM, CN = KioskID
	HPKEPublic, HPKEPrivate []byte // PEM (uplink.MarshalPublicKeyPEM / MarshalPrivateKeyPEM)
	SignPublic, SignPrivate []byte // PEM Ed25519 (devicekey formats)
}

// File names written by WriteDir and read by cmd/ine-sim.
const (
	FileCACert      = "ca.pem"
	FileCAKey       = "ca.key"
	FileServerCert  = "server.pem"
	FileServerKey   = "server.key"
	FileClientCert  = "client.pem"
	FileClientKey   = "client.key"
	FileHPKEPublic  = "ine-hpke.pub"
	FileHPKEPrivate = "ine-hpke.key"
	FileSignPublic  = "ine-sign.pub"
	FileSignPrivate = "ine-sign.key"
	DirKiosks       = "kiosks" // <kiosk-id>.pub: enrolled device public keys
)

// NewDevPKI generates a key set for kioskID with the named KEM. Certificates
// are valid from now-1h for validity.
func NewDevPKI(kioskID, kem string, validity time.Duration, hosts ...string) (*DevPKI, error) {
	p := &DevPKI{KioskID: kioskID}
	caKey, caCert, err := p.makeCA(validity)
	if err != nil {
		return nil, err
	}
	if p.ServerCert, p.ServerKey, err = issue(caCert, caKey, "ine-sim", validity, true, hosts); err != nil {
		return nil, err
	}
	if p.ClientCert, p.ClientKey, err = issue(caCert, caKey, kioskID, validity, false, nil); err != nil {
		return nil, err
	}
	if err := p.makeINEKeys(kem); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *DevPKI) makeINEKeys(kem string) error {
	k, err := uplink.KEMByName(kem)
	if err != nil {
		return err
	}
	sk, err := k.GenerateKey()
	if err != nil {
		return fmt.Errorf("inesim: HPKE key: %w", err)
	}
	p.HPKEPublic = uplink.MarshalPublicKeyPEM(sk.PublicKey())
	if p.HPKEPrivate, err = uplink.MarshalPrivateKeyPEM(sk); err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if p.SignPublic, err = devicekey.MarshalPublicPEM(pub); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	p.SignPrivate = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return err
}

func (p *DevPKI) makeCA(validity time.Duration) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := template("Ventanilla development CA", validity)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("inesim: CA: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	p.CACert = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	p.CAKey = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})
	return key, cert, nil
}

func template(cn string, validity time.Duration) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	now := time.Now()
	return &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Organization: []string{"Ventanilla dev"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(validity)}
}

func issue(ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, validity time.Duration, server bool, hosts []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := template(cn, validity)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("inesim: issue %s: %w", cn, err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), nil
}

func certPool(caPEM []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("inesim: CA PEM holds no certificate")
	}
	return pool, nil
}

// WriteDir writes the key set into dir (created 0700; keys 0600). It
// refuses to overwrite an existing file.
func (p *DevPKI) WriteDir(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, DirKiosks), 0o700); err != nil {
		return fmt.Errorf("inesim: keygen: %w", err)
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{FileCACert, p.CACert, 0o644}, {FileCAKey, p.CAKey, 0o600},
		{FileServerCert, p.ServerCert, 0o644}, {FileServerKey, p.ServerKey, 0o600},
		{FileClientCert, p.ClientCert, 0o644}, {FileClientKey, p.ClientKey, 0o600},
		{FileHPKEPublic, p.HPKEPublic, 0o644}, {FileHPKEPrivate, p.HPKEPrivate, 0o600},
		{FileSignPublic, p.SignPublic, 0o644}, {FileSignPrivate, p.SignPrivate, 0o600},
	}
	for _, f := range files {
		if err := writeNew(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// EnrollKiosk writes a kiosk's device public key into dir/kiosks/<id>.pub.
func EnrollKiosk(dir, kioskID string, pub []byte) error {
	if err := os.MkdirAll(filepath.Join(dir, DirKiosks), 0o700); err != nil {
		return fmt.Errorf("inesim: enroll: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, DirKiosks, kioskID+".pub"), pub, 0o644)
}

func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("inesim: keygen: %w (remove the directory to regenerate)", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("inesim: keygen: %w", err)
	}
	return f.Close()
}

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
)

// provisionCSR makes the TLS client key (ECDSA P-256) at uplink.client_key
// when it is missing, readable by root and the state directory's group
// (0640), and prints a certificate request naming the kiosk (CN = kiosk.id)
// for INE to sign. An existing key is reused, never replaced.
func provisionCSR(c *cli, cfg *config.Config, args []string) int {
	fset := flag.NewFlagSet("provision csr", flag.ContinueOnError)
	fset.SetOutput(c.stderr)
	out := fset.String("out", "", "write the request to this file instead of standard output")
	if err := fset.Parse(args); err != nil {
		return map[bool]int{true: exitOK, false: exitUsage}[errors.Is(err, flag.ErrHelp)]
	}
	path := cfg.Uplink.ClientKey
	if path == "" {
		fmt.Fprintln(c.stderr, "ventanillactl provision csr: uplink.client_key is empty in", cfg.File)
		return exitFailed
	}
	key, created, err := loadOrCreateClientKey(path, cfg.Paths.StateDir)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl provision csr:", err)
		return exitFailed
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cfg.Kiosk.ID, OrganizationalUnit: []string{"ventanilla kiosk"}},
	}, key)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl provision csr:", err)
		return exitFailed
	}
	csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	fmt.Fprintf(c.stderr, "client key: %s (%s)\n", path, map[bool]string{true: "created", false: "already there"}[created])
	if *out == "" {
		c.stdout.Write(csr)
		return exitOK
	}
	if err := os.WriteFile(*out, csr, 0o644); err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl provision csr:", err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "certificate request for %q written to %s: send it to INE; install the certificate INE returns as %s\n",
		cfg.Kiosk.ID, *out, cfg.Uplink.ClientCert)
	return exitOK
}

// loadOrCreateClientKey reads the PEM key at path, or creates one there
// (0640, root and the group of groupRef) when the file does not exist.
func loadOrCreateClientKey(path, groupRef string) (*ecdsa.PrivateKey, bool, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return parseECKey(b, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return nil, false, err
	}
	if err := f.Sync(); err != nil {
		return nil, false, err
	}
	return key, true, chownGroupLike(path, groupRef)
}

func parseECKey(b []byte, path string) (*ecdsa.PrivateKey, bool, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, false, fmt.Errorf("%s: no PEM key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		if k, err := x509.ParseECPrivateKey(blk.Bytes); err == nil {
			return k, false, nil
		}
		return nil, false, fmt.Errorf("%s: not a PKCS#8 or EC key", path)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("%s: not an ECDSA key", path)
	}
	return ek, false, nil
}

// chownGroupLike gives path root as owner and ref's group (the daemon's),
// when running as root.
func chownGroupLike(path, ref string) error {
	fi, err := os.Stat(ref)
	if err != nil || os.Geteuid() != 0 {
		return nil
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return os.Chown(path, 0, int(st.Gid))
	}
	return nil
}

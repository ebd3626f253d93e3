package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// item is one thing a serving kiosk needs; check returns "" when it is in
// place, else what is wrong (short: it is printed in a table). A soft item
// is worth a warning but does not keep the kiosk from serving.
type item struct {
	what, path string
	check      func() string
	soft       bool
}

// provisionCheck checks everything provisioning must leave behind and
// exits 1, listing what is missing, until all of it is there. Then it
// prints the device key's public half for the enrolment record.
func provisionCheck(c *cli, cfg *config.Config, args []string) int {
	if rc, ok := noFlags(c, "check", args); !ok {
		return rc
	}
	u := cfg.Uplink
	items := []item{
		{"device key", cfg.DeviceKeyPath(), func() string { return checkDeviceKey(cfg.DeviceKeyPath()) }, false},
		{"INE address (uplink.url)", u.URL, func() string { return map[bool]string{true: "not set", false: ""}[u.URL == ""] }, false},
		{"INE HPKE key (uplink.ine_key)", u.INEKey, func() string { return checkPEM(u.INEKey, parseHPKE) }, false},
		{"INE answer-signing key", u.INESigningKey, func() string { return checkPEM(u.INESigningKey, parseEd25519) }, false},
		{"CA of INE's server", u.CA, func() string { return checkPEM(u.CA, parseCerts) }, false},
		{"TLS client certificate and key", u.ClientCert, func() string { return checkClientPair(u.ClientCert, u.ClientKey) }, false},
		{"TLS client key permissions", u.ClientKey, func() string { return checkPrivateMode(u.ClientKey) }, false},
		{"archive public key", cfg.Consent.ArchivePublicKey, func() string { return checkPEM(cfg.Consent.ArchivePublicKey, parseArchive) }, false},
		{"operators' PINs", cfg.KioskAPI.OperatorsFile, func() string { return checkOperators(cfg) }, false},
		lookupKeyItem(cfg.Consent),
	}
	missing := printItems(c, items)
	if missing > 0 {
		fmt.Fprintf(c.stdout, "\nNOT READY: %d item(s) missing; the kiosk would refuse sessions (docs/operations.md, \"Provisioning\")\n", missing)
		return exitFailed
	}
	k, err := devicekey.Load(cfg.DeviceKeyPath())
	if err != nil {
		return exitFailed
	}
	fmt.Fprintln(c.stdout, "\nprovisioned: restart the daemon (systemctl restart ventanillad), then `ventanillactl health`")
	return printDeviceKey(c.stdout, k.Public())
}

func printItems(c *cli, items []item) int {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tSTATE\tPATH")
	missing := 0
	for _, it := range items {
		state := "ok"
		if why := it.check(); why != "" && it.soft {
			state = "WARNING: " + why
		} else if why != "" {
			state, missing = "MISSING: "+why, missing+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", it.what, state, it.path)
	}
	tw.Flush()
	return missing
}

func checkDeviceKey(path string) string {
	if _, err := devicekey.Load(path); err != nil {
		return short(err) + " (provision device-key)"
	}
	return ""
}

// checkPEM reads path and parses it; it says why when it cannot.
func checkPEM(path string, parse func([]byte) error) string {
	if path == "" {
		return "not set in the config"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return short(err)
	}
	if err := parse(b); err != nil {
		return "unreadable: " + err.Error()
	}
	return ""
}

func parseHPKE(b []byte) error { _, err := uplink.ParsePublicKeyPEM(b); return err }

func parseEd25519(b []byte) error { _, err := devicekey.ParsePublicPEM(b); return err }

func parseArchive(b []byte) error { _, err := consent.ParseArchivePublicKey(b); return err }

func parseCerts(b []byte) error {
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return fmt.Errorf("no PEM certificate")
	}
	return nil
}

// checkClientPair: the certificate INE issued matches the key the CSR was
// made from, and is valid now.
func checkClientPair(certPath, keyPath string) string {
	if certPath == "" || keyPath == "" {
		return "not set in the config"
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return short(err)
	}
	if now := time.Now(); now.After(pair.Leaf.NotAfter) || now.Before(pair.Leaf.NotBefore) {
		return "certificate not valid now (" + pair.Leaf.NotAfter.UTC().Format(time.DateOnly) + ")"
	}
	return ""
}

// checkPrivateMode: the client key is not readable by other users.
func checkPrivateMode(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return short(err)
	}
	if fi.Mode().Perm()&0o007 != 0 {
		return fmt.Sprintf("mode %04o: others may read it (chmod 0640)", fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
		return "not owned by root"
	}
	return ""
}

// lookupKeyItem is consent.lookup_key. Unset, it is needed only by a kiosk
// that pushes to an archive (consent.archive_url): without it the archive
// cannot find the kiosk's consents by credential (the daemon warns with
// consent.lookup_key). Set, it must be the archive's key and readable by
// no other user: with it, guessed credential numbers can be tested
// against the lookup commitments of bindings.
func lookupKeyItem(c config.Consent) item {
	return item{what: "consent lookup key", path: c.LookupKey, soft: c.LookupKey == "" && c.ArchiveURL == "",
		check: func() string { return checkLookupKey(c.LookupKey) }}
}

func checkLookupKey(path string) string {
	if path == "" {
		return "not set: exports by credential cannot find this kiosk's consents"
	}
	if _, err := consent.ReadLookupKey(path); err != nil {
		return short(err)
	}
	return checkPrivateMode(path)
}

// checkOperators: at least one operator has a PIN hash, in the config
// table or in operators_file.
func checkOperators(cfg *config.Config) string {
	n := len(cfg.KioskAPI.Operators)
	if f := cfg.KioskAPI.OperatorsFile; f != "" {
		file, err := os.Open(f)
		if err != nil {
			return short(err)
		}
		defer file.Close()
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				n++
			}
		}
	}
	if n == 0 {
		return "no operator (kiosk hash-pin)"
	}
	return ""
}

// short is an error without Go's wrapping chain: the operation's last
// cause, e.g. "no such file or directory".
func short(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

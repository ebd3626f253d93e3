package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hpke"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// walk is a scratch kiosk: its root replaces / in every path of the
// walkthrough, and dir holds what INE and the municipality hand over.
type walk struct {
	t         *testing.T
	root, dir string
	cfg       string
	ca        *x509.Certificate
	caKey     *ecdsa.PrivateKey
	checks    []int    // exit codes of `provision check`, in order
	prints    []string // fingerprints printed
}

// TestOperationsWalkthrough follows docs/operations.md's provisioning
// walk-through line by line on a scratch copy of the shipped config: the
// first `provision check` refuses, the last one passes, and both it and
// `provision device-key` print the same device key fingerprint, which is
// the key's. A line the test does not know how to run fails it, so the
// page and the test cannot drift apart.
func TestOperationsWalkthrough(t *testing.T) {
	w := newWalk(t)
	for _, line := range walkthroughLines(t) {
		w.do(line)
	}
	if len(w.checks) < 2 || w.checks[0] != exitFailed || w.checks[len(w.checks)-1] != exitOK {
		t.Fatalf("provision check exit codes %v: want the first to refuse (1) and the last to pass (0)", w.checks)
	}
	k, err := devicekey.Load(filepath.Join(w.root, "var/lib/ventanilla/device.key"))
	if err != nil {
		t.Fatal(err)
	}
	want := fingerprint(k.Public())
	if len(w.prints) < 2 {
		t.Fatalf("fingerprints printed: %v, want one by device-key and one by the passing check", w.prints)
	}
	for _, fp := range w.prints {
		if fp != want {
			t.Errorf("printed fingerprint %s, the device key's is %s", fp, want)
		}
	}
}

// walkthroughLines are the commands of the block after the marker.
func walkthroughLines(t *testing.T) []string {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- walkthrough: provisioning -->\n```sh\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/operations.md has no provisioning walk-through block")
	}
	return strings.Split(strings.TrimSpace(block), "\n")
}

func newWalk(t *testing.T) *walk {
	w := &walk{t: t, root: t.TempDir(), dir: t.TempDir()}
	for _, d := range []string{"etc/ventanilla/private", "etc/ventanilla/ine", "etc/ventanilla/keys", "var/lib/ventanilla", "run/ventanilla"} {
		if err := os.MkdirAll(filepath.Join(w.root, d), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	shipped, err := os.ReadFile("../../configs/ventanilla.toml")
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = w.path("/etc/ventanilla/ventanilla.toml")
	w.write(w.cfg, []byte(w.rewrite(string(shipped))))
	w.handOver()
	return w
}

// handOver writes what INE and the archive officer give the technician.
func (w *walk) handOver() {
	var err error
	if w.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		w.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "INE test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &w.caKey.PublicKey, w.caKey)
	if err != nil {
		w.t.Fatal(err)
	}
	w.ca, _ = x509.ParseCertificate(der)
	w.write(filepath.Join(w.dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	hk, err := hpke.MLKEM768X25519().GenerateKey()
	if err != nil {
		w.t.Fatal(err)
	}
	w.write(filepath.Join(w.dir, "ine-hpke.pub"), uplink.MarshalPublicKeyPEM(hk.PublicKey()))
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sign, err := devicekey.MarshalPublicPEM(pub)
	if err != nil {
		w.t.Fatal(err)
	}
	w.write(filepath.Join(w.dir, "ine-sign.pub"), sign)
	if code, _, errOut := runCtl(w.t, "consent", "keygen", "-o", filepath.Join(w.dir, "archive")); code != exitOK {
		w.t.Fatalf("consent keygen: %d %s", code, errOut)
	}
}

func (w *walk) path(p string) string { return filepath.Join(w.root, p) }

// rewrite points the kiosk's absolute paths into the scratch root.
func (w *walk) rewrite(s string) string {
	for _, p := range []string{"/etc/ventanilla", "/var/lib/ventanilla", "/run/ventanilla"} {
		s = strings.ReplaceAll(s, p, w.path(p))
	}
	return s
}

func (w *walk) write(path string, b []byte) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		w.t.Fatal(err)
	}
}

var sedRE = regexp.MustCompile(`^sed -i 's#(.*)#(.*)#' (\S+)$`)

// do runs one line of the walk-through.
func (w *walk) do(line string) {
	w.t.Logf("$ %s", line)
	cmd := w.rewrite(strings.TrimPrefix(line, "sudo "))
	switch {
	case strings.HasPrefix(cmd, "ventanillactl health"), strings.HasPrefix(cmd, "systemctl "):
		w.t.Logf("  (skipped: needs the running daemon; the install and boot tests cover it)")
	case strings.HasPrefix(cmd, "ventanillactl "):
		w.ctl(strings.Fields(cmd)[1:])
	case strings.HasPrefix(cmd, "install "):
		w.install(strings.Fields(cmd)[1:])
	case sedRE.MatchString(cmd):
		m := sedRE.FindStringSubmatch(cmd)
		b, err := os.ReadFile(m[3])
		if err != nil {
			w.t.Fatal(err)
		}
		out := regexp.MustCompile("(?m)"+m[1]).ReplaceAllString(string(b), m[2])
		if out == string(b) {
			w.t.Fatalf("%s changed nothing", line)
		}
		w.write(m[3], []byte(out))
	default:
		w.t.Fatalf("the walk-through has a line this test cannot run: %q", line)
	}
}

var fpRE = regexp.MustCompile(`fingerprint: (SHA256:\S+)`)

func (w *walk) ctl(args []string) {
	for i := 1; i < len(args); i++ { // the hand-over directory is the working directory
		if args[i-1] == "--out" && !filepath.IsAbs(args[i]) {
			args[i] = filepath.Join(w.dir, args[i])
		}
	}
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb, stdin: strings.NewReader("246810\n")}
	code := run(context.Background(), c, append([]string{"--config", w.cfg}, args...))
	w.t.Logf("  exit %d\n%s%s", code, out.String(), errb.String())
	if strings.Contains(out.String()+errb.String(), "246810") {
		w.t.Error("the PIN was echoed")
	}
	if len(args) >= 2 && args[0] == "provision" && args[1] == "check" {
		w.checks = append(w.checks, code)
	} else if code != exitOK {
		w.t.Fatalf("%v: exit %d", args, code)
	}
	for _, m := range fpRE.FindAllStringSubmatch(out.String(), -1) {
		w.prints = append(w.prints, m[1])
	}
}

// install copies sources (relative to the hand-over directory) to a file or
// directory, with -m's mode; -o and -g are root's business on a real kiosk.
func (w *walk) install(args []string) {
	mode := os.FileMode(0o755)
	var files []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-o", "-g":
			i++
		case "-m":
			i++
			m, err := strconv.ParseUint(args[i], 8, 32)
			if err != nil {
				w.t.Fatal(err)
			}
			mode = os.FileMode(m)
		default:
			files = append(files, args[i])
		}
	}
	dest := files[len(files)-1]
	for _, src := range files[:len(files)-1] {
		if src == "kiosk.pem" {
			w.signCSR()
		}
		b, err := os.ReadFile(filepath.Join(w.dir, src))
		if err != nil {
			w.t.Fatal(err)
		}
		to := dest
		if strings.HasSuffix(dest, "/") {
			to = filepath.Join(dest, src)
		}
		if err := os.WriteFile(to, b, mode); err != nil {
			w.t.Fatal(err)
		}
	}
}

// signCSR plays INE: it signs the kiosk's request as kiosk.pem.
func (w *walk) signCSR() {
	b, err := os.ReadFile(filepath.Join(w.dir, "kiosk.csr"))
	if err != nil {
		w.t.Fatalf("INE needs the request first: %v", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		w.t.Fatal("kiosk.csr is not PEM")
	}
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil || csr.CheckSignature() != nil {
		w.t.Fatalf("kiosk.csr: %v", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: csr.Subject, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, w.ca, csr.PublicKey, w.caKey)
	if err != nil {
		w.t.Fatal(err)
	}
	w.write(filepath.Join(w.dir, "kiosk.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

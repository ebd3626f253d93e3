//go:build cvmatch

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
)

// municipalArchive is ventanilla-archive's server on loopback mutual TLS
// (the kiosk PKI's server certificate, client certificates of its CA) over
// a throwaway PostgreSQL.
type municipalArchive struct {
	db      *archivetest.DB
	a       *archive.Archive
	pubPath string
}

func startMunicipalArchive(t *testing.T) *municipalArchive {
	t.Helper()
	m := &municipalArchive{db: archivetest.NewDB(t, pgtest.Options{})}
	key, err := devicekey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := devicekey.MarshalPublicPEM(key.Public())
	m.pubPath = filepath.Join(t.TempDir(), "archive.key.pub")
	if err := os.WriteFile(m.pubPath, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	if m.a, err = archive.Open(context.Background(), m.db.Service, "municipio-e2e", key); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.a.Close)
	return m
}

// attach enrolls the provisioned kiosk, serves the archive with its PKI
// and points the kiosk's config at it.
func (m *municipalArchive) attach(t *testing.T, env *daemontest.Env) {
	if err := m.a.Enroll(context.Background(), env.Config.Kiosk.ID, env.Device.Public()); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(env.PKI.ServerCert, env.PKI.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(env.PKI.CACert)
	srv := httptest.NewUnstartedServer(m.a.Handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := &env.Config.Consent
	c.ArchiveURL, c.ArchiveCA = srv.URL, filepath.Join(env.Dir, "ine", "ca.pem")
	c.ArchiveInterval = config.Dur(300 * time.Millisecond)
}

// verifiedBindings counts the verified bindings the archive holds.
func (m *municipalArchive) verifiedBindings(t *testing.T) int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, m.db.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM bindings WHERE outcome = $1", int16(consent.OutcomeVerified)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRealKioskConsentReachesArchive: a verification in the real kiosk
// binds its consent to the credential typed; the kiosk pushes record and
// binding to the municipality's archive; an export by that credential
// finds exactly that consent, and `ventanillactl consent verify` checks
// the bundle offline against the archive's key.
func TestRealKioskConsentReachesArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("the real kiosk takes a minute")
	}
	m := startMunicipalArchive(t)
	b := browser(t)
	k := startRealKioskConfigured(t, daemontest.Opts{}, func(env *daemontest.Env) { m.attach(t, env) })
	ctx := tab(t, b)
	realFingerSession(t, ctx, k, citizenCIC, citizenID)
	run(t, ctx, "INE's answer is shown",
		chromedp.WaitVisible(css("#s-answer")),
		waitText("#answer-title", "Credencial verificada"),
	)
	deadline := time.Now().Add(time.Minute)
	for m.verifiedBindings(t) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the verification's binding did not reach the archive within a minute")
		}
		time.Sleep(200 * time.Millisecond) // polls the archive; the assertion is the binding's presence
	}
	lookup := consent.LookupCommitment(k.env.LookupKey, consent.Credential{Kind: "cic", Value: citizenCIC})
	since, until := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	path := filepath.Join(t.TempDir(), "ine-solicitud.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.a.Export(context.Background(), evidence.Selection{Lookup: lookup[:], Since: &since, Until: &until}, f)
	if err = errors.Join(err, f.Close()); err != nil || n != 1 {
		t.Fatalf("export by credential: %d records, %v", n, err)
	}
	out, err := exec.Command(ctlBinary(t), "consent", "verify", path, "--archive-pubkey", m.pubPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "records:     1 ") || !strings.Contains(string(out), "result:      OK") {
		t.Fatalf("ventanillactl consent verify: %v\n%s", err, out)
	}
	if strings.Contains(string(out), citizenCIC) {
		t.Fatal("the verification report prints the credential number")
	}
	other := consent.LookupCommitment(k.env.LookupKey, consent.Credential{Kind: "cic", Value: "100000009"})
	if n, err := m.a.Export(context.Background(), evidence.Selection{Lookup: other[:], Since: &since, Until: &until}, discard{}); err != nil || n != 0 {
		t.Fatalf("export of another credential: %d records, %v", n, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// ctlBinary builds ventanillactl once per test binary.
func ctlBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ventanillactl")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ventanilla-mx/ventanilla/cmd/ventanillactl").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ventanillactl: %v\n%s", err, out)
	}
	return bin
}

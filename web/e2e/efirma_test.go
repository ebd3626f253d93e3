//go:build cvmatch

package e2e

import (
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/efirma/efirmatest"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

// ASCII: chromedp types it key by key.
const efirmaPassword = "FielDePrueba-2026"

// efirmaFiles writes a throwaway SAT-like CA (PEM) and a citizen's .cer
// (DER) and .key (PKCS#8, PBES2 with DES-EDE3-CBC, as SAT issues them).
func efirmaFiles(t *testing.T) (caPath, cerPath, keyPath string) {
	t.Helper()
	ca := consenttest.NewSATCA(t, 0)
	cit := ca.DefaultCitizen(t)
	dir := t.TempDir()
	caPath, cerPath, keyPath = filepath.Join(dir, "sat-ca.pem"), filepath.Join(dir, "persona.cer"), filepath.Join(dir, "persona.key")
	for p, b := range map[string][]byte{caPath: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}),
		cerPath: cit.Cert, keyPath: efirmatest.Encrypt(t, cit.Key, efirmaPassword, efirmatest.DES3)} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return caPath, cerPath, keyPath
}

// TestRealKioskEFirmaConsent (issue 13, item 7): in the real kiosk the
// citizen opens "Firmar con e.firma" from the keyboard, picks the .cer and
// the encrypted .key and types the password; a wrong password is refused
// in Spanish at the password field (sent with Enter); the right one, sent
// with a tap on the button (which the sticky button bar covered before
// scroll-margin), commits the consent and the session goes on to the
// credential. The ledger then holds an e.firma
// record: `ventanillactl consent verify` checks the exported bundle and
// `consent open --ca` re-verifies the e.firma against the CA.
func TestRealKioskEFirmaConsent(t *testing.T) {
	if testing.Short() {
		t.Skip("the real kiosk takes a minute")
	}
	caPath, cerPath, keyPath := efirmaFiles(t)
	b := browser(t)
	k := startRealKioskConfigured(t, daemontest.Opts{}, func(env *daemontest.Env) {
		env.Config.Consent.EfirmaCAFiles = []string{caPath}
	})
	ctx := tab(t, b)
	loginAt(t, ctx, k.url, false)
	run(t, ctx, "start and accept the notice",
		chromedp.Click(css("#start")), chromedp.WaitVisible(css("#notice-text")),
		chromedp.Evaluate[chromedp.Void](`(function(){const e=document.getElementById('notice-text');e.scrollTop=e.scrollHeight;})()`),
		chromedp.WaitEnabled(css("#notice-accept")), chromedp.Click(css("#notice-accept")), chromedp.WaitVisible(css("#sig")))
	tabTo(t, ctx, "efirma-title")
	keys(t, ctx, kb.Enter)
	run(t, ctx, "the e.firma form opens from the keyboard", chromedp.WaitVisible(css("#efirma-cer")),
		waitText("#efirma-title", "Firmar con e.firma"))
	run(t, ctx, "a wrong password",
		chromedp.SetUploadFiles(css("#efirma-cer"), []string{cerPath}), chromedp.SetUploadFiles(css("#efirma-key"), []string{keyPath}),
		chromedp.SendKeys(css("#efirma-pw"), "no es"+kb.Enter),
		waitText("#efirma-pw-err", "La contraseña no abre la clave privada"))
	marked(t, ctx, "efirma-pw")
	run(t, ctx, "the right password", chromedp.SendKeys(css("#efirma-pw"), efirmaPassword))
	if top := topmostAtCentre(t, ctx, "efirma-send"); top != "efirma-send" {
		t.Fatalf("scrolled into view, the send button is under %q (a tap would miss it)", top)
	}
	run(t, ctx, "tap the send button", chromedp.Click(css("#efirma-send")), chromedp.WaitVisible(css("#model-E")))
	if got := k.metric(t, "ventanilla_consent_appends_total"); got != "1" {
		t.Fatalf("consent appends %s, want 1", got)
	}
	out := efirmaBundleOpened(t, k, caPath)
	if !strings.Contains(out, "signature over the statement verifies against --ca") {
		t.Fatalf("consent open does not verify the e.firma:\n%s", out)
	}
}

// efirmaBundleOpened exports the kiosk's ledger, verifies the bundle and
// opens it with the archive key and the CA; it returns open's output.
func efirmaBundleOpened(t *testing.T, k *realKiosk, caPath string) string {
	t.Helper()
	ctl, dir := ctlBinary(t), t.TempDir()
	pub, _ := devicekey.MarshalPublicPEM(k.env.Device.Public())
	pubPath, bundlePath := filepath.Join(dir, "kiosk.pub"), filepath.Join(dir, "consent.bundle")
	if err := os.WriteFile(pubPath, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	since, until := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	cmds := [][]string{
		{"consent", "export", "-o", bundlePath, "--db", k.env.Config.ConsentDB(), "--device-key", k.env.Config.DeviceKeyPath(), "--since", since, "--until", until},
		{"consent", "verify", bundlePath, "--pubkey", pubPath},
		{"consent", "open", bundlePath, "--pubkey", pubPath, "--archive-key", k.env.ArchiveKey, "--ca", caPath},
	}
	var out []byte
	for _, args := range cmds {
		var err error
		if out, err = exec.Command(ctl, args...).CombinedOutput(); err != nil {
			t.Fatalf("ventanillactl %s: %v\n%s", strings.Join(args[:2], " "), err, out)
		}
	}
	return string(out)
}

// topmostAtCentre scrolls #id into view as a tap or focus would and
// returns the id (or tag.class) of the element on top at its centre.
func topmostAtCentre(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	js := `(function(){const b=document.getElementById(` + quote(id) + `);b.scrollIntoView({block:'nearest'});
const r=b.getBoundingClientRect();const e=document.elementFromPoint(r.x+r.width/2,r.y+r.height/2);
return e?(e.id||e.tagName+'.'+e.className):'';})()`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

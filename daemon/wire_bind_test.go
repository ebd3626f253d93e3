package daemon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/web"
)

// TestShutdownBindsTheOpenSession (issue 14, left over): a session the
// daemon's clean shutdown ends after its consent was committed gets a
// "cancelled" binding in the real ledger file, sealing the credential
// typed so far. Before, the engine, the ledger and the locked memory all
// closed at once on shutdown, so such a consent stayed unbound.
func TestShutdownBindsTheOpenSession(t *testing.T) {
	env, addr := provisionKiosk(t)
	n := newRecNotifier()
	stop := startDaemon(t, Options{Config: env.Config, Notifier: n, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	k := newKioskClient(t, "http://"+addr)
	k.call("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"246810"}`, 200)
	var claim struct{ Session string }
	if err := json.Unmarshal(k.call("POST", "/api/v1/sessions", `{}`, 201), &claim); err != nil {
		t.Fatal(err)
	}
	p := "/api/v1/sessions/" + claim.Session
	ref := web.Notices()[0].Ref()
	k.call("POST", p+"/notice", fmt.Sprintf(`{"id":%q,"version":%q,"lang":%q,"sha256":%q}`,
		ref.ID, ref.Version, ref.Lang, hex.EncodeToString(ref.SHA256[:])), 200)
	k.call("POST", p+"/consent/typed", `{"phrase":"ACEPTO"}`, 200)
	k.call("POST", p+"/credential", `{"model":"E","fields":{"cic":"123456789","identificadorCiudadano":"987654321"}}`, 200)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	id := openBinding(t, env)
	if len(id.Credentials) != 2 || id.Credentials[0].Value != "123456789" {
		t.Fatalf("the binding seals %d credentials, want the 2 typed", len(id.Credentials))
	}
}

// provisionKiosk provisions a kiosk with the R30x emulator as its scanner
// (a session needs one capture device), the kiosk API on loopback and
// operator op-001 (PIN 246810); it returns the kiosk API's address.
func provisionKiosk(t *testing.T) (*daemontest.Env, string) {
	t.Helper()
	link, _ := scannerEmulator(t)
	addr := freeLoopbackAddr(t)
	env := daemontest.Provision(t, daemontest.Opts{Scanner: link, Extra: fmt.Sprintf("[kiosk_api]\nlisten = %q\n", addr)})
	env.Config.KioskAPI.Operators = map[string]string{"op-001": cheapPIN(t)}
	return env, addr
}

// openBinding reopens env's ledger after the daemon stopped and opens, with
// the archive's private key, its one binding, which must say "cancelled".
func openBinding(t *testing.T, env *daemontest.Env) *consent.Identity {
	t.Helper()
	pub, err := consent.LoadArchivePublicKey(env.Config.Consent.ArchivePublicKey)
	if err != nil {
		t.Fatal(err)
	}
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = env.Config.Kiosk.ID, env.Device, pub
	l, err := ledger.Open(env.Config.ConsentDB(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bodies, _, total, err := l.Bindings(context.Background(), 0, 10)
	if err != nil || total != 1 || len(bodies) != 1 {
		t.Fatalf("%d bindings in the ledger, want 1 (%v)", total, err)
	}
	b, err := consent.VerifyBinding(bodies[0], env.Device.Public())
	if err != nil || b.Outcome != consent.OutcomeCancelled {
		t.Fatalf("binding outcome %d (%v), want cancelled", b.Outcome, err)
	}
	priv, err := consent.LoadArchivePrivateKey(env.ArchiveKey)
	if err != nil {
		t.Fatal(err)
	}
	id, err := consent.OpenBinding(priv, b)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

package daemontest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
)

// Env is one provisioned kiosk and its INE.
type Env struct {
	Dir        string // everything lives below it
	ConfigPath string
	Config     *config.Config
	Device     *devicekey.Key
	ArchiveKey string // path of the archive private key (auditors' side)
	LookupKey  []byte // the archive's lookup key (keys/lookup.key, consent.lookup_key)
	INE        *inesim.Service
	INEServer  *inesim.Server
	PKI        *inesim.DevPKI
}

// Opts tune Provision.
type Opts struct {
	KioskID  string           // default "test-kiosk"
	Registry *inesim.Registry // default: empty (every credential is "not found")
	Matcher  inesim.Matcher   // default: ExactMatcher
	Extra    string           // TOML appended to the generated config (sections not generated)
	Scanner  string           // scanner device path; empty disables the scanner
	// CameraReplay is media replayed as the camera (passive liveness, as
	// the config allows only then); empty disables the camera.
	CameraReplay string
	captureBin   string
	Mutate       func(*inesim.Opts) // adjusts the service before it starts
	// Consent is TOML appended to the [consent] section (e.g. archive_url).
	Consent string
}

// Provision builds the whole environment under t.TempDir() and starts
// ine-sim; everything is torn down with the test.
func Provision(t testing.TB, o Opts) *Env {
	t.Helper()
	if o.KioskID == "" {
		o.KioskID = "test-kiosk"
	}
	dir := shortTempDir(t)
	e := &Env{Dir: dir}
	must(t, os.MkdirAll(filepath.Join(dir, "state"), 0o700))
	var err error
	e.Device, err = devicekey.Generate()
	must(t, err)
	must(t, e.Device.WriteFile(filepath.Join(dir, "state", "device.key")))
	e.ArchiveKey = writeArchiveKeys(t, dir)
	e.LookupKey = writeLookupKey(t, dir)
	e.PKI, err = inesim.NewDevPKI(o.KioskID, uplink.KEMX25519, 365*24*time.Hour)
	must(t, err)
	must(t, e.PKI.WriteDir(filepath.Join(dir, "ine")))
	e.startINE(t, o)
	if o.CameraReplay != "" {
		o.captureBin = CaptureBinary(t)
	}
	e.ConfigPath = filepath.Join(dir, "ventanilla.toml")
	must(t, os.WriteFile(e.ConfigPath, []byte(configText(o, e.INEServer.URL)), 0o600))
	e.Config, err = config.Load(e.ConfigPath)
	must(t, err)
	return e
}

func (e *Env) startINE(t testing.TB, o Opts) {
	so, err := e.PKI.ServiceOpts(map[string]ed25519.PublicKey{o.KioskID: e.Device.Public()})
	must(t, err)
	so.Registry, so.Matcher = o.Registry, o.Matcher
	if so.Registry == nil {
		so.Registry = inesim.NewRegistry()
	}
	if so.Matcher == nil {
		so.Matcher = ExactMatcher{}
	}
	if o.Mutate != nil {
		o.Mutate(so)
	}
	e.INE, err = inesim.New(so)
	must(t, err)
	e.INEServer, err = inesim.Serve(e.INE, e.PKI, "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { e.INEServer.Close() })
}

func writeArchiveKeys(t testing.TB, dir string) string {
	must(t, os.MkdirAll(filepath.Join(dir, "keys"), 0o700))
	k, err := consent.GenerateArchiveKey()
	must(t, err)
	priv, err := consent.MarshalArchivePrivateKey(k)
	must(t, err)
	path := filepath.Join(dir, "keys", "archive.key")
	must(t, os.WriteFile(path, priv, 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "keys", "archive.pub"), consent.MarshalArchivePublicKey(k.PublicKey()), 0o644))
	return path
}

// writeLookupKey writes keys/lookup.key as ventanilla-archive keygen does.
func writeLookupKey(t testing.TB, dir string) []byte {
	k := make([]byte, consent.LookupKeySize)
	rand.Read(k)
	must(t, os.WriteFile(filepath.Join(dir, "keys", "lookup.key"), []byte(hex.EncodeToString(k)+"\n"), 0o600))
	return k
}

func configText(o Opts, url string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version = 1\n[kiosk]\nid = %q\n", o.KioskID)
	b.WriteString("[paths]\nstate_dir = \"state\"\nrun_dir = \"run\"\n[log]\nformat = \"logfmt\"\n")
	b.WriteString("[diagnostics]\nsocket_group = \"\"\ntechnician_group = \"\"\nadmin_group = \"\"\n")
	b.WriteString("[health]\nmin_free_disk = \"1MiB\"\n")
	if o.Scanner == "" {
		b.WriteString("[scanner]\nenabled = false\n")
	} else {
		fmt.Fprintf(&b, "[scanner]\ndevice = %q\n", o.Scanner)
	}
	if o.CameraReplay == "" {
		b.WriteString("[camera]\nenabled = false\n")
	} else {
		fmt.Fprintf(&b, "[camera]\nreplay = %q\ncapture_binary = %q\n[liveness]\nchallenges = []\n", o.CameraReplay, o.captureBin)
	}
	b.WriteString("[consent]\narchive_public_key = \"keys/archive.pub\"\nlookup_key = \"keys/lookup.key\"\n" + o.Consent)
	fmt.Fprintf(&b, "[uplink]\nurl = %q\nkem = \"x25519\"\n", url)
	b.WriteString("ine_key = \"ine/ine-hpke.pub\"\nine_signing_key = \"ine/ine-sign.pub\"\n")
	b.WriteString("ca = \"ine/ca.pem\"\nclient_cert = \"ine/client.pem\"\nclient_key = \"ine/client.key\"\n")
	b.WriteString("backoff = \"10ms\"\n[secmem]\nrequire_lock = false\n")
	b.WriteString(o.Extra)
	return b.String()
}

// shortTempDir keeps unix socket paths under the kernel's 108-byte limit.
func shortTempDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "vt")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ExactMatcher scores 100 when probe and reference bytes are equal and 0
// otherwise: enough to test the protocol and the flow, not biometrics.
type ExactMatcher struct{}

// FaceSimilarity implements inesim.Matcher.
func (ExactMatcher) FaceSimilarity(probe, ref []byte) (int, error) { return same(probe, ref), nil }

// FingerSimilarity implements inesim.Matcher.
func (ExactMatcher) FingerSimilarity(probe []byte, _ uplink.Format, ref []byte) (int, error) {
	return same(probe, ref), nil
}

func same(a, b []byte) int {
	if string(a) == string(b) {
		return 100
	}
	return 0
}

// LogBuffer collects a daemon's log for a test to show when it fails (the
// log holds no personal data by construction). Safe for concurrent use.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

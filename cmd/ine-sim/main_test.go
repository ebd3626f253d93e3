package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/uplink/inesim/cvmatch"
)

func TestKeygenThenLoadInProcess(t *testing.T) {
	if _, err := os.Stat(cvmatch.DefaultCascade); err != nil {
		t.Skip("opencv-data not installed")
	}
	dir := filepath.Join(t.TempDir(), "ine")
	var out, errb bytes.Buffer
	dev := filepath.Join(t.TempDir(), "device.key")
	if code := run(context.Background(), &out, &errb, []string{"keygen", "-dir", dir, "-kem", "x25519", "-device-key", dev}); code != exitOK {
		t.Fatalf("keygen exit %d: %s", code, errb.String())
	}
	for _, f := range []string{"ca.pem", "server.pem", "client.key", "ine-hpke.pub", "ine-sign.key", "registry.json", "kiosks/dev-kiosk.pub", "refs/finger-1-2.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("keygen did not write %s", f)
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "ine-hpke.key")); st == nil || st.Mode().Perm() != 0o600 {
		t.Error("HPKE private key is not 0600")
	}
	if code := run(context.Background(), &out, &errb, []string{"keygen", "-dir", dir}); code != exitFail {
		t.Errorf("keygen over an existing dir: exit %d, want %d", code, exitFail)
	}
	out.Reset()
	if code := run(context.Background(), &out, &errb, []string{"load", "-dir", dir, "-n", "12", "-c", "3"}); code != exitOK {
		t.Fatalf("load exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "verifications: 12 ") || !strings.Contains(out.String(), "valid                        12") {
		t.Fatalf("load report:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{nil, {"nope"}, {"serve"}, {"load", "-dir", "x", "-n", "0"}} {
		if code := run(context.Background(), &out, &errb, args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestServeStopsOnSignal(t *testing.T) {
	if _, err := os.Stat(cvmatch.DefaultCascade); err != nil {
		t.Skip("opencv-data not installed")
	}
	dir := filepath.Join(t.TempDir(), "ine")
	var out, errb bytes.Buffer
	if code := run(context.Background(), &out, &errb, []string{"keygen", "-dir", dir, "-kem", "x25519"}); code != exitOK {
		t.Fatal(errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, pw, io.Discard, []string{"serve", "-dir", dir, "-addr", "127.0.0.1:0", "-fault", "5xx"})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil || !strings.Contains(line, "https://127.0.0.1:") {
		t.Fatalf("serve printed %q (%v)", line, err)
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	if code := run(context.Background(), io.Discard, io.Discard, []string{"serve", "-dir", dir, "-fault", "explode"}); code != exitFail {
		t.Fatalf("unknown fault: exit %d", code)
	}
}

// TestServeRefusesAFaceVideoItCannotRead: -face-video names a video that
// cannot be read (or, in the default build, needs OpenCV): serve fails
// rather than serving without the face.
func TestServeRefusesAFaceVideoItCannotRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ine")
	if code := run(context.Background(), io.Discard, io.Discard, []string{"keygen", "-dir", dir, "-kem", "x25519"}); code != exitOK {
		t.Fatal("keygen failed")
	}
	var errb bytes.Buffer
	args := []string{"serve", "-dir", dir, "-addr", "127.0.0.1:0", "-face-video", filepath.Join(dir, "none.mp4")}
	if code := run(context.Background(), io.Discard, &errb, args); code != exitFail || !strings.Contains(errb.String(), "-face-video") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

//go:build cvmatch

package cvmatch_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim/cvmatch"
	"github.com/ventanilla-mx/ventanilla/uplink/memconsent"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// withCanary inserts a JPEG comment segment holding canary after SOI: the
// image still decodes, and the canary travels wherever the bytes go.
func withCanary(jpg, canary []byte) []byte {
	seg := []byte{0xFF, 0xFE, 0, byte(len(canary) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(append(out, seg...), canary...)
	return append(out, jpg[2:]...)
}

func faceJPEG(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 160, 160))
	for y := range 160 {
		for x := range 160 {
			img.SetGray(x, y, color.Gray{uint8((x*x+y*3)%251 ^ (y * 7 % 13))})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestNoRetention runs 100 verifications end to end (kiosk client, real TLS
// on loopback, ine-sim with the OpenCV matcher) with canary bytes planted in
// every face and fingerprint, then searches every writable place for them.
func TestNoRetention(t *testing.T) {
	if _, err := os.Stat(cvmatch.DefaultCascade); err != nil {
		t.Skip("opencv-data not installed")
	}
	start := time.Now().Add(-time.Second)
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)

	state := t.TempDir() // the kiosk's state directory
	faceCanary, fingerCanary := randBytes(32), randBytes(32)
	face := withCanary(faceJPEG(t), faceCanary)
	const w, h = 200, 240
	pix := inesim.SyntheticFinger(5, 6, w, h)
	copy(pix[100*w+20:], fingerCanary) // the canary is part of the image
	finger, err := iso19794.Raw(pix, w, h, iso19794.RightIndex)
	if err != nil {
		t.Fatal(err)
	}

	run := newRetentionPair(t, face, finger)
	for i := range 100 {
		req, release := run.request(t, face, finger)
		a, err := run.client.Verify(context.Background(), req)
		release() // the session wipes the captures after the answer
		if err != nil || a.Status != vocab.StatusValid || a.FaceSimilarity < 90 || a.FingerSimilarity < 90 {
			t.Fatalf("verification %d: %s face %d finger %d: %v", i, a.Status, a.FaceSimilarity, a.FingerSimilarity, err)
		}
	}
	run.close()

	if s := run.alloc.Stats(); s.Live != 0 || s.Released < 400 {
		t.Fatalf("secmem: %+v (want nothing live, every buffer released)", s)
	}
	if err := run.alloc.AuditReleased(); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	roots := []string{state, os.TempDir(), wd}
	canaries := encodings(faceCanary, fingerCanary)
	for _, c := range canaries {
		if bytes.Contains(logs.Bytes(), c) {
			t.Fatal("a canary reached the captured log")
		}
	}
	scanned := 0
	for _, root := range roots {
		hits, n := scan(root, start, canaries)
		scanned += n
		for _, h := range hits {
			t.Errorf("canary found in %s", h)
		}
	}
	t.Logf("scanned %d files written since the test started; %d log bytes", scanned, logs.Len())

	// Control: the scan does find a canary that was written.
	control := t.TempDir()
	os.WriteFile(filepath.Join(control, "leak"), append([]byte("x"), canaries[4]...), 0o600)
	if hits, _ := scan(control, start, canaries); len(hits) != 1 {
		t.Fatalf("control: scan found %d planted canaries, want 1", len(hits))
	}
}

func encodings(cs ...[]byte) [][]byte {
	var out [][]byte
	for _, c := range cs {
		out = append(out, c, []byte(hex.EncodeToString(c)), []byte(base64.StdEncoding.EncodeToString(c)))
	}
	return out
}

// scan searches files under root modified since start for any canary and
// returns the paths that hold one and how many files it read.
func scan(root string, start time.Time, canaries [][]byte) (hits []string, n int) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.ModTime().Before(start) || info.Size() > 256<<20 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		n++
		for _, c := range canaries {
			if bytes.Contains(b, c) {
				hits = append(hits, p)
				break
			}
		}
		return nil
	})
	return hits, n
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

type retentionPair struct {
	client *uplink.Client
	srv    *inesim.Server
	alloc  *secmem.Allocator
	log    *memconsent.Log
	m      *cvmatch.Matcher
}

var citizen = credential.Credential{Model: credential.ModelE, CIC: "123456789", IdentificadorCiudadano: "987654321"}

func newRetentionPair(t *testing.T, face, finger []byte) *retentionPair {
	pki, err := inesim.NewDevPKI("kiosk-ret", uplink.KEMMLKEM768X25519, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	device, _ := devicekey.Generate()
	r := &retentionPair{alloc: secmem.NewAllocator(&secmem.Opts{RetainReleased: true})}
	if r.m, err = cvmatch.New(&cvmatch.Opts{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	reg := inesim.NewRegistry()
	var refFinger bytes.Buffer
	png.Encode(&refFinger, &image.Gray{Pix: inesim.SyntheticFinger(5, 7, 200, 240), Stride: 200, Rect: image.Rect(0, 0, 200, 240)})
	if err := reg.Add(&inesim.Citizen{Credential: citizen, Status: vocab.StatusValid, Face: faceJPEG(t), Fingers: map[int][]byte{2: refFinger.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	o, _ := pki.ServiceOpts(map[string]ed25519.PublicKey{pki.KioskID: device.Public()})
	o.Registry, o.Matcher = reg, r.m
	svc, err := inesim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if r.srv, err = inesim.Serve(svc, pki, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	co, _ := pki.ClientOpts(r.srv.URL, device, r.alloc)
	if r.client, err = uplink.New(co); err != nil {
		t.Fatal(err)
	}
	r.log, _ = memconsent.New(pki.KioskID, device)
	return r
}

// request copies the biometrics into secmem, as the capture packages do;
// release wipes them.
func (r *retentionPair) request(t *testing.T, face, finger []byte) (*uplink.Request, func()) {
	fb, _ := r.alloc.AllocBytes(len(face))
	gb, _ := r.alloc.AllocBytes(len(finger))
	copy(fb, face)
	copy(gb, finger)
	release := func() { r.alloc.ReleaseBytes(fb); r.alloc.ReleaseBytes(gb) }
	id := fmt.Sprintf("r_%x", randBytes(8))
	proof, err := r.log.Consent(id)
	if err != nil {
		t.Fatal(err)
	}
	return &uplink.Request{ID: id, Consent: proof, Credential: citizen.Secret(),
		Biometrics: []uplink.Biometric{{Kind: uplink.KindFace, Format: uplink.FormatJPEG, Data: fb},
			{Kind: uplink.KindFinger, Position: 2, Format: uplink.FormatISO197944, Data: gb}},
		Liveness: &uplink.Liveness{Decision: uplink.LivenessLive}}, release
}

func (r *retentionPair) close() {
	r.client.Close()
	r.srv.Close()
	r.m.Close()
}

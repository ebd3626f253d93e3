package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

func runKeygen(_ context.Context, stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory to create (required); refuses to overwrite existing files")
	kiosk := fs.String("kiosk-id", "dev-kiosk", "kiosk id: client certificate CN and consent log origin suffix")
	kem := fs.String("kem", uplink.KEMMLKEM768X25519, "HPKE KEM of the INE key: mlkem768-x25519 or x25519")
	device := fs.String("device-key", "", "kiosk device key (PEM PKCS#8) to enrol; created if missing (development only)")
	hosts := fs.String("hosts", "", "extra comma-separated server certificate names or IPs besides localhost")
	validity := fs.Duration("validity", 90*24*time.Hour, "certificate validity")
	if err := fs.Parse(args); err != nil || *dir == "" {
		fmt.Fprintln(stderr, "ine-sim keygen: -dir is required")
		return exitUsage
	}
	if err := keygen(*dir, *kiosk, *kem, *device, splitList(*hosts), *validity); err != nil {
		fmt.Fprintln(stderr, "ine-sim keygen:", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "ine-sim keygen: wrote development keys for kiosk %s to %s\n", *kiosk, *dir)
	return exitOK
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func keygen(dir, kiosk, kem, devicePath string, hosts []string, validity time.Duration) error {
	pki, err := inesim.NewDevPKI(kiosk, kem, validity, hosts...)
	if err != nil {
		return err
	}
	if err := pki.WriteDir(dir); err != nil {
		return err
	}
	if devicePath != "" {
		k, _, err := devicekey.LoadOrCreate(devicePath)
		if err != nil {
			return err
		}
		pub, err := devicekey.MarshalPublicPEM(k.Public())
		if err != nil {
			return err
		}
		if err := inesim.EnrollKiosk(dir, kiosk, pub); err != nil {
			return err
		}
	}
	return writeDemoRegistry(dir)
}

// demoCitizens are synthetic: one per INE status, with synthetic finger
// references at position 2 (right index). Add "face": "path" to an entry to
// score faces against a reference photo.
var demoCitizens = []struct {
	model, cic, id, ocr, clave, emision string
	status                              vocab.Status
}{
	{"H", "100000001", "200000001", "", "", "", vocab.StatusValid},
	{"G", "100000002", "200000002", "", "", "", vocab.StatusValidIdentificationOnly},
	{"D", "100000003", "", "0000200000003", "", "", vocab.StatusNotCurrent},
	{"F", "100000004", "200000004", "", "", "", vocab.StatusLostOrStolen},
	{"E", "100000005", "200000005", "", "", "", vocab.StatusSuspendedRights},
	{"C", "", "", "0000300000006", "GMVLMR80070501M100", "03", vocab.StatusValid},
}

func writeDemoRegistry(dir string) error {
	refs := filepath.Join(dir, "refs")
	if err := os.MkdirAll(refs, 0o755); err != nil {
		return err
	}
	var entries []map[string]any
	for i, c := range demoCitizens {
		name := fmt.Sprintf("finger-%d-2.png", i+1)
		if err := writeFingerPNG(filepath.Join(refs, name), uint64(i+1)); err != nil {
			return err
		}
		e := map[string]any{"model": c.model, "status": c.status, "fingers": map[string]string{"2": "refs/" + name}}
		for k, v := range map[string]string{"cic": c.cic, "identificadorCiudadano": c.id, "ocr": c.ocr, "claveElector": c.clave, "numeroEmision": c.emision} {
			if v != "" {
				e[k] = v
			}
		}
		entries = append(entries, e)
	}
	b, err := json.MarshalIndent(map[string]any{"citizens": entries}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "registry.json"), append(b, '\n'), 0o644)
}

func writeFingerPNG(path string, seed uint64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	img := &image.Gray{Pix: inesim.ReferenceFinger(seed), Stride: inesim.RefWidth, Rect: image.Rect(0, 0, inesim.RefWidth, inesim.RefHeight)}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

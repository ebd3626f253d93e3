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

func writeDemoRegistry(dir string) error {
	refs := filepath.Join(dir, "refs")
	if err := os.MkdirAll(refs, 0o755); err != nil {
		return err
	}
	var entries []map[string]any
	for _, d := range inesim.DemoCitizens() {
		c := d.Credential
		name := fmt.Sprintf("finger-%d-2.png", d.Finger)
		if err := writeFingerPNG(filepath.Join(refs, name), d.Finger); err != nil {
			return err
		}
		e := map[string]any{"model": string(c.Model), "status": d.Status, "fingers": map[string]string{"2": "refs/" + name}}
		for k, v := range map[string]string{"cic": c.CIC, "identificadorCiudadano": c.IdentificadorCiudadano, "ocr": c.OCR, "claveElector": c.ClaveElector, "numeroEmision": c.NumeroEmision} {
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

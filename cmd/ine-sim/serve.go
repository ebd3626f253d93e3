package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
)

type serveFlags struct {
	dir, addr, registry, fault, kiosk string
	faceVideo                         string
	every, faceFrame                  int
	latency, replay, idem             time.Duration
}

func runServe(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	fs.StringVar(&f.dir, "dir", "", "key directory written by `ine-sim keygen` (required)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8443", "listen address (loopback unless you mean otherwise)")
	fs.StringVar(&f.registry, "registry", "", "registry of synthetic citizens (default DIR/registry.json)")
	fs.StringVar(&f.fault, "fault", "", "inject a fault: 5xx, timeout, bad-signature, replayed-answer, malformed")
	fs.IntVar(&f.every, "fault-every", 1, "fire the fault on every Nth request (1 = all)")
	fs.DurationVar(&f.latency, "latency", 0, "added latency per request (INE answers in about 5-7 s)")
	fs.DurationVar(&f.replay, "replay-window", 5*time.Minute, "accepted createdAt skew; nonces kept twice as long")
	fs.DurationVar(&f.idem, "idempotency-window", 2*time.Minute, "identical retransmissions answered from memory")
	fs.StringVar(&f.faceVideo, "face-video", "", "enrol frame -face-frame of this video as the face of every citizen without one, in memory (make run: the camera's replay; needs -tags cvmatch)")
	fs.IntVar(&f.faceFrame, "face-frame", inesim.DemoFaceFrame, "enrol the first frame of -face-video from this one on (0-based) that shows a face")
	fs.StringVar(&f.kiosk, "kiosk-id", "dev-kiosk", "kiosk id of the key set (for the certificate names)")
	if err := fs.Parse(args); err != nil || f.dir == "" {
		fmt.Fprintln(stderr, "ine-sim serve: -dir is required")
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := serve(ctx, f, log, stdout); err != nil {
		log.Error("ine-sim serve failed", "err", err)
		return exitFail
	}
	return exitOK
}

func serve(ctx context.Context, f serveFlags, log *slog.Logger, stdout io.Writer) error {
	svc, m, pki, err := buildService(f)
	if err != nil {
		return err
	}
	defer m.Close()
	srv, err := inesim.Serve(svc, pki, f.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ine-sim: serving %s/v2/verifications\n", srv.URL)
	log.Info("ine-sim serving", "url", srv.URL, "fault", f.fault, "latency", f.latency, "matcher", matcherName)
	<-ctx.Done()
	st := svc.Stats()
	log.Info("ine-sim stopping", "requests", st.Requests, "answered", st.Answered, "refused", st.Refused, "faulted", st.Faulted)
	return srv.Close()
}

func buildService(f serveFlags) (*inesim.Service, matcher, *inesim.DevPKI, error) {
	pki, err := inesim.LoadDevPKI(f.dir, f.kiosk)
	if err != nil {
		return nil, nil, nil, err
	}
	kiosks, err := inesim.LoadKiosks(f.dir)
	if err != nil {
		return nil, nil, nil, err
	}
	if f.registry == "" {
		f.registry = filepath.Join(f.dir, "registry.json")
	}
	reg, err := inesim.LoadRegistry(f.registry)
	if err != nil {
		return nil, nil, nil, err
	}
	fault, err := inesim.ParseFault(f.fault)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := newMatcher()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := enrollFace(reg, m, f.faceVideo, f.faceFrame); err != nil {
		m.Close()
		return nil, nil, nil, err
	}
	o, err := pki.ServiceOpts(kiosks)
	if err != nil {
		m.Close()
		return nil, nil, nil, err
	}
	o.Registry, o.Matcher, o.ReplayWindow, o.IdempotencyWindow = reg, m, f.replay, f.idem
	svc, err := inesim.New(o)
	if err != nil {
		m.Close()
		return nil, nil, nil, err
	}
	svc.SetFaults(inesim.Faults{Mode: fault, Every: f.every, Latency: f.latency})
	return svc, m, pki, nil
}

// enrollFace enrols the first frame of video from frame n on that shows a
// face (none when video is empty) as the face reference of every registry
// citizen without one. The frame stays in memory; nothing is written.
func enrollFace(reg *inesim.Registry, m matcher, video string, n int) error {
	if video == "" {
		return nil
	}
	face, err := faceFrame(m, video, n)
	if err != nil {
		return fmt.Errorf("-face-video: %w", err)
	}
	reg.EnrollFace(face)
	return nil
}

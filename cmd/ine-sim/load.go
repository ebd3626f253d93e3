package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/logging"
	"io"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/memconsent"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

type loadFlags struct {
	serve  serveFlags
	url    string
	device string
	n, c   int
}

const maxLoad = 100000

func runLoad(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f loadFlags
	fs.StringVar(&f.serve.dir, "dir", "", "key directory written by `ine-sim keygen` (required)")
	fs.StringVar(&f.serve.kiosk, "kiosk-id", "dev-kiosk", "kiosk id of the key set")
	fs.StringVar(&f.url, "url", "", "target a running ine-sim (loopback); empty starts one in-process on 127.0.0.1")
	fs.StringVar(&f.device, "device-key", "", "enrolled device key (required with -url); in-process uses a fresh key")
	fs.IntVar(&f.n, "n", 200, "verifications to run (at most 100000)")
	fs.IntVar(&f.c, "c", 4, "concurrent kiosk clients")
	if err := fs.Parse(args); err != nil || f.serve.dir == "" || f.n < 1 || f.n > maxLoad || f.c < 1 {
		fmt.Fprintln(stderr, "ine-sim load: -dir is required; 1 <= -n <= 100000; -c >= 1")
		return exitUsage
	}
	rep, err := load(ctx, f)
	if err != nil {
		fmt.Fprintln(stderr, "ine-sim load:", err)
		return exitFail
	}
	rep.print(stdout)
	return exitOK
}

type report struct {
	n         int
	elapsed   time.Duration
	latencies []time.Duration
	statuses  map[string]int
}

func (r *report) perSecond() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r *report) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(p*float64(len(r.latencies)-1))]
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "verifications: %d in %s: %.1f/s\n", r.n, r.elapsed.Round(time.Millisecond), r.perSecond())
	fmt.Fprintf(w, "latency: p50 %s p90 %s p99 %s\n", r.percentile(0.5).Round(time.Microsecond), r.percentile(0.9).Round(time.Microsecond), r.percentile(0.99).Round(time.Microsecond))
	for _, k := range slices.Sorted(maps.Keys(r.statuses)) {
		fmt.Fprintf(w, "  %-28s %d\n", k, r.statuses[k])
	}
}

// load runs f.n verifications with f.c clients against f.url or an
// in-process server, and reports throughput.
func load(ctx context.Context, f loadFlags) (*report, error) {
	pki, err := inesim.LoadDevPKI(f.serve.dir, f.serve.kiosk)
	if err != nil {
		return nil, err
	}
	device, url, stop, err := loadTarget(f, pki)
	if err != nil {
		return nil, err
	}
	defer stop()
	alloc := secmem.NewAllocator(nil)
	defer alloc.Close()
	co, err := pki.ClientOpts(url, device, alloc)
	if err != nil {
		return nil, err
	}
	client, err := uplink.New(co)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	log, err := memconsent.New(pki.KioskID, device)
	if err != nil {
		return nil, err
	}
	return drive(ctx, client, log, alloc, f.n, f.c)
}

// loadTarget returns the device key and URL to use, starting an in-process
// server when no URL is given.
func loadTarget(f loadFlags, pki *inesim.DevPKI) (devicekey.Signer, string, func(), error) {
	if f.url != "" {
		if f.device == "" {
			return nil, "", nil, errors.New("-device-key is required with -url (the key enrolled at keygen)")
		}
		k, err := devicekey.Load(f.device)
		return k, f.url, func() {}, err
	}
	device, err := devicekey.Generate()
	if err != nil {
		return nil, "", nil, err
	}
	f.serve.every = 1
	svc, m, _, err := buildService(f.serve)
	if err != nil {
		return nil, "", nil, err
	}
	svc.Enroll(pki.KioskID, device.Public())
	srv, err := inesim.Serve(svc, pki, "127.0.0.1:0")
	if err != nil {
		m.Close()
		return nil, "", nil, err
	}
	return device, srv.URL, func() { srv.Close(); m.Close() }, nil
}

// The load probe: demo citizen 1 (model H, valid), right index finger.
var loadCitizen = credential.Credential{Model: credential.ModelH, CIC: "100000001", IdentificadorCiudadano: "200000001"}

func drive(ctx context.Context, c *uplink.Client, log *memconsent.Log, alloc *secmem.Allocator, n, workers int) (*report, error) {
	probe, err := iso19794.Raw(inesim.SyntheticFinger(1, 99, inesim.RefWidth, inesim.RefHeight), inesim.RefWidth, inesim.RefHeight, iso19794.RightIndex)
	if err != nil {
		return nil, err
	}
	rep := &report{n: n, statuses: map[string]int{}}
	jobs := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for range jobs {
				label, d := one(ctx, c, log, alloc, probe)
				mu.Lock()
				rep.statuses[label]++
				rep.latencies = append(rep.latencies, d)
				mu.Unlock()
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.elapsed = time.Since(start)
	sort.Slice(rep.latencies, func(i, j int) bool { return rep.latencies[i] < rep.latencies[j] })
	rep.n = len(rep.latencies)
	return rep, nil
}

func one(ctx context.Context, c *uplink.Client, log *memconsent.Log, alloc *secmem.Allocator, probe []byte) (string, time.Duration) {
	buf, err := alloc.AllocBytes(len(probe))
	if err != nil {
		return "local-error", 0
	}
	defer alloc.ReleaseBytes(buf)
	copy(buf, probe)
	id := string(logging.NewRequestID()) // as a session mints it, before the consent
	proof, err := log.Consent(id)
	if err != nil {
		return "local-error", 0
	}
	req := &uplink.Request{ID: id, Consent: proof, Credential: loadCitizen.Secret(),
		Biometrics: []uplink.Biometric{{Kind: uplink.KindFinger, Position: 2, Format: uplink.FormatISO197944, Data: buf}}}
	t0 := time.Now()
	a, _ := c.Verify(ctx, req)
	d := time.Since(t0)
	if a.Status == vocab.StatusUnknown {
		return "unknown/" + string(a.Reason), d
	}
	return string(a.Status), d
}

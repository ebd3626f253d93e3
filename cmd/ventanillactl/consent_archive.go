package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/archive/sender"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

// defaultSyncCursor is where the daemon keeps the archive sync cursor.
const defaultSyncCursor = "/var/lib/ventanilla/consent/archive-cursor"

// isArchiveEvidence reports whether path is an archive evidence bundle
// (ventanilla-archive export) rather than a kiosk bundle.
func isArchiveEvidence(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadSlice('\n')
	return bytes.Contains(line, []byte(`"format":"`+evidence.Format+`"`))
}

// verifyArchiveEvidence checks an archive bundle offline: the archive's
// signature, each kiosk checkpoint's two signatures, every record,
// binding and inclusion proof, and the selection.
func verifyArchiveEvidence(c *cli, path, archivePub, request string) int {
	o := evidence.Options{Request: request}
	if archivePub != "" {
		b, err := os.ReadFile(archivePub)
		if err == nil {
			o.ArchiveKey, err = devicekey.ParsePublicPEM(b)
		}
		if err != nil {
			fmt.Fprintf(c.stderr, "consent verify: archive key: %v\n", err)
			return exitUsage
		}
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent verify: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	b, err := evidence.Parse(f)
	if err != nil {
		fmt.Fprintf(c.stdout, "bundle:      %s\nFAILED:      %v\n", path, err)
		return exitFailed
	}
	rep := evidence.Verify(b, o)
	printEvidence(c, path, b, rep, o.ArchiveKey)
	if !rep.OK() {
		return exitFailed
	}
	return exitOK
}

func printEvidence(c *cli, path string, b *evidence.Bundle, rep *evidence.Report, trusted ed25519.PublicKey) {
	h := &b.Header
	fmt.Fprintf(c.stdout, "bundle:      %s (archive evidence, version %d)\narchive:     %s\n", path, h.Version, h.Archive)
	if trusted == nil {
		fmt.Fprintf(c.stdout, "archive key: %x\n             TAKEN FROM THE BUNDLE: compare it out of band, or pass --archive-pubkey\n", h.ArchiveKey)
	}
	if h.Selection.Request != "" {
		fmt.Fprintf(c.stdout, "selection:   request %s\n", h.Selection.Request)
	} else if h.Selection.Since != nil && h.Selection.Until != nil {
		fmt.Fprintf(c.stdout, "selection:   credential lookup %x, %s .. %s\n", h.Selection.Lookup, h.Selection.Since.Format(time.RFC3339), h.Selection.Until.Format(time.RFC3339))
		for _, l := range h.Selection.Lookups {
			fmt.Fprintf(c.stdout, "             or lookup %x (another lookup key)\n", l)
		}
	}
	fmt.Fprintf(c.stdout, "kiosks:      %d\nrecords:     %d (%d erased under retention, %d of cancelled sessions)\n", len(h.Kiosks), rep.Records, rep.Erased, rep.Cancelled)
	for _, n := range rep.Notes {
		fmt.Fprintf(c.stdout, "note:        %s\n", n)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(c.stdout, "FAILED:      %s\n", p)
	}
	if rep.OK() {
		fmt.Fprintln(c.stdout, "result:      OK")
	}
}

// consentSync shows the archive sync state from the ledger and the cursor.
func consentSync(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "sync")
	db := fs.String("db", defaultConsentDB, "ledger store")
	cursor := fs.String("cursor", defaultSyncCursor, "the sync cursor file")
	if _, err := parseArgs(fs, args); err != nil {
		return exitUsage
	}
	acked, err := sender.ReadCursor(*cursor)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent sync: %v\n", err)
		return exitFailed
	}
	l, err := ledger.OpenReadOnly(*db, ledger.DefaultOpts())
	if err != nil {
		fmt.Fprintf(c.stderr, "consent sync: %v\n", err)
		return exitFailed
	}
	defer l.Close()
	bodies, size, _, err := l.Range(ctx, acked, 1)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent sync: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "log:          %d records\nacknowledged: %d by the archive\nbacklog:      %d\n", size, acked, max(size-acked, 0))
	if st := oldestUnsent(bodies); !st.IsZero() {
		fmt.Fprintf(c.stdout, "oldest unsent: %s (%s ago)\n", st.Format(time.RFC3339), time.Since(st).Round(time.Second))
	}
	return syncBindings(ctx, c, l, *cursor+".bindings")
}

// syncBindings prints the identity bindings made and acknowledged (the
// sender's binding cursor sits beside the leaf cursor).
func syncBindings(ctx context.Context, c *cli, l *ledger.Ledger, cursor string) int {
	acked, err := sender.ReadCursor(cursor)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent sync: %v\n", err)
		return exitFailed
	}
	_, _, total, err := l.Bindings(ctx, acked, 0)
	if err != nil { // a store not yet upgraded to schema 3 has none
		fmt.Fprintln(c.stdout, "bindings:     none (the daemon adds them when it next opens the store)")
		return exitOK
	}
	fmt.Fprintf(c.stdout, "bindings:     %d made, %d acknowledged, backlog %d\n", total, acked, max(total-acked, 0))
	return exitOK
}

func oldestUnsent(bodies [][]byte) time.Time {
	if len(bodies) == 0 {
		return time.Time{}
	}
	r, err := consent.ParseRecord(bodies[0])
	if err != nil {
		return time.Time{}
	}
	return r.Time
}

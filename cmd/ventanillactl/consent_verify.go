package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"os"

	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
)

func consentVerify(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "verify")
	bf := addBundleFlags(fs)
	oldCP := fs.String("checkpoint", "", "an earlier signed checkpoint the bundle must extend")
	db := fs.String("db", "", "audit this ledger store instead of a bundle")
	archivePub := fs.String("archive-pubkey", "", "archive evidence: the archive's public key (PEM)")
	request := fs.String("request", "", "archive evidence: the INE request id you asked for")
	var since, until timeFlag
	fs.Var(&since, "since", "start of the period you asked for, inclusive (RFC 3339, or a date = its 00:00 UTC): the bundle must cover exactly it")
	fs.Var(&until, "until", "end of the period you asked for, exclusive (RFC 3339, or a date = its 00:00 UTC)")
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) > 1 || (len(pos) == 1) == (*db != "") || since.t.IsZero() != until.t.IsZero() {
		fmt.Fprintln(c.stderr, "consent verify: need a bundle FILE, or --db PATH (and --since with --until)")
		return exitUsage
	}
	if *db != "" {
		return auditStore(ctx, c, *db)
	}
	if isArchiveEvidence(pos[0]) {
		return verifyArchiveEvidence(c, pos[0], *archivePub, *request)
	}
	opts, err := bf.opts()
	if err != nil {
		fmt.Fprintf(c.stderr, "consent verify: %v\n", err)
		return exitUsage
	}
	if !since.t.IsZero() {
		opts.Period = &bundle.Period{Since: since.t, Until: until.t}
	}
	if *oldCP != "" {
		if opts.OldCheckpoint, err = os.ReadFile(*oldCP); err != nil {
			fmt.Fprintf(c.stderr, "consent verify: %v\n", err)
			return exitUsage
		}
	}
	rep, err := verifyFile(pos[0], opts)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent verify: %v\n", err)
		return exitFailed
	}
	printReport(c, pos[0], rep)
	if !rep.OK() {
		return exitFailed
	}
	return exitOK
}

// bundleFlags say how a bundle is checked (consent verify and open).
type bundleFlags struct {
	pubkey  *string
	allowV1 *bool
}

func addBundleFlags(fs *flag.FlagSet) bundleFlags {
	return bundleFlags{
		pubkey:  fs.String("pubkey", "", "trusted kiosk device key: PEM file or note verifier key"),
		allowV1: fs.Bool("allow-v1", false, "accept a version-1 bundle (unsigned header, boundaries unproven) and check its records alone"),
	}
}

// opts returns the verification options the flags ask for.
func (f bundleFlags) opts() (*bundle.VerifyOpts, error) {
	o := &bundle.VerifyOpts{AllowV1: *f.allowV1}
	if *f.pubkey == "" {
		return o, nil
	}
	k, err := loadPublicKey(*f.pubkey)
	if err != nil {
		return nil, err
	}
	o.PublicKey = k
	return o, nil
}

func verifyFile(path string, opts *bundle.VerifyOpts) (*bundle.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return bundle.Verify(f, opts), nil
}

// printReport says what was checked and exactly what failed. It prints ids,
// indexes and hashes only: no personal field is readable from a bundle
// without the archive key.
func printReport(c *cli, path string, rep *bundle.Report) {
	fmt.Fprintf(c.stdout, "bundle:      %s\nlog:         %s\ncheckpoint:  tree size %d, root %x\n", path, rep.Origin, rep.TreeSize, rep.Root[:])
	if rep.KeyFromBundle {
		fmt.Fprintf(c.stdout, "device key:  %s\n             TAKEN FROM THE BUNDLE: compare it with the municipality's inventory, or pass --pubkey\n", rep.VerifierKey)
	} else {
		fmt.Fprintf(c.stdout, "device key:  %s (given with --pubkey)\n", rep.VerifierKey)
	}
	if rep.Consistency != "" {
		fmt.Fprintf(c.stdout, "consistency: %s\n", rep.Consistency)
	}
	printSelection(c, rep)
	fmt.Fprintf(c.stdout, "records:     %d of %d verified (%d selected, the rest prove the period's boundaries)\n", rep.Records, rep.Entries, len(rep.IDs))
	for _, p := range rep.Problems {
		fmt.Fprintf(c.stdout, "FAIL %s\n", p)
	}
	if rep.OK() {
		fmt.Fprintln(c.stdout, "OK: every record is signed by the device key and included in the signed checkpoint")
	} else if len(rep.Problems) == 0 {
		fmt.Fprintln(c.stdout, "FAIL: the bundle holds no record")
	}
}

func printSelection(c *cli, rep *bundle.Report) {
	if rep.Version == bundle.VersionV1 {
		fmt.Fprintln(c.stdout, "format:      version 1 (unsigned header: a period's boundaries are NOT proven)")
	}
	if rep.Period != nil && rep.Range != nil {
		fmt.Fprintf(c.stdout, "period:      %s, records %d..%d\n", rep.Period, rep.Range.First, rep.Range.Last)
	}
	for _, b := range rep.Boundaries {
		fmt.Fprintf(c.stdout, "boundary:    %s\n", b)
	}
}

func auditStore(ctx context.Context, c *cli, db string) int {
	l, err := ledger.OpenReadOnly(db, nil)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent verify: %v\n", err)
		return exitFailed
	}
	defer l.Close()
	err = l.Audit(ctx, func(done, total int64) {
		if done%10000 == 0 && done < total {
			fmt.Fprintf(c.stderr, "  %d/%d records\n", done, total)
		}
	})
	size, _, _ := l.Checkpoint(ctx)
	fmt.Fprintf(c.stdout, "store:       %s\nlog:         %s\ndevice key:  %x\nrecords:     %d\n", db, l.Origin(), []byte(ed25519.PublicKey(l.PublicKey())), size)
	if err != nil {
		fmt.Fprintf(c.stdout, "FAIL %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(c.stdout, "OK: integrity_check, every record, every Merkle hash and the signed checkpoint hold")
	return exitOK
}

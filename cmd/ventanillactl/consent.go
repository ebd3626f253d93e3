package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

// defaultConsentDB and defaultDeviceKey are where the packaged daemon keeps
// the ledger and the device key.
const (
	defaultConsentDB = "/var/lib/ventanilla/consent/consent.db"
	defaultDeviceKey = "/var/lib/ventanilla/device.key"
)

func init() {
	commands = append(commands, command{
		name:    "consent",
		summary: "consent evidence: export, verify, open (auditors), keygen (archive key)",
		run:     runConsent,
	})
}

var consentSubcommands = map[string]func(ctx context.Context, c *cli, args []string) int{
	"export": consentExport,
	"verify": consentVerify,
	"open":   consentOpen,
	"keygen": consentKeygen,
	"sync":   consentSync,
}

func runConsent(ctx context.Context, c *cli, args []string) int {
	if len(args) > 0 {
		if sub, ok := consentSubcommands[args[0]]; ok {
			return sub(ctx, c, args[1:])
		}
	}
	fmt.Fprint(c.stderr, `usage:
  ventanillactl consent export (--id ID ... | --since T --until T) -o FILE [--db PATH] [--device-key PATH] [--old-checkpoint FILE]
  ventanillactl consent verify FILE [--pubkey K] [--checkpoint OLD] [--since T --until T] [--allow-v1]
  ventanillactl consent verify --db PATH            (full audit of a store)
  ventanillactl consent open FILE --archive-key K [--pubkey K] [--ca CERTS] [--svg-dir DIR]
  ventanillactl consent keygen -o PREFIX            (archive key pair: PREFIX.key, PREFIX.pub)
  ventanillactl consent sync [--db PATH] [--cursor PATH]   (archive sync backlog)
  ventanillactl consent verify EVIDENCE [--archive-pubkey PEM] [--request ID]   (ventanilla-archive export)
`)
	return exitUsage
}

// parseArgs parses flags that may come before or after positional
// arguments, and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

func newFlags(c *cli, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("consent "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	return fs
}

// idList is a repeatable --id flag.
type idList []consent.ID

func (l *idList) String() string { return fmt.Sprint(*l) }
func (l *idList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		id, err := consent.ParseID(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		*l = append(*l, id)
	}
	return nil
}

// timeFlag accepts RFC 3339 or a date (midnight UTC).
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string { return f.t.Format(time.RFC3339) }
func (f *timeFlag) Set(s string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			f.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("want RFC 3339 (2025-03-14T16:00:00Z) or a date (2025-03-14)")
}

func consentExport(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "export")
	var ids idList
	var since, until timeFlag
	fs.Var(&ids, "id", "consent id to export (repeatable, or comma-separated)")
	fs.Var(&since, "since", "export consents signed at or after this time (RFC 3339, or a date = its 00:00 UTC)")
	fs.Var(&until, "until", "export consents signed before this time (exclusive; RFC 3339, or a date = its 00:00 UTC)")
	out := fs.String("o", "", "bundle file to write (required)")
	db := fs.String("db", defaultConsentDB, "consent ledger (SQLite file)")
	oldCP := fs.String("old-checkpoint", "", "an earlier signed checkpoint; the bundle proves the log extends it")
	keyPath := fs.String("device-key", defaultDeviceKey, "the kiosk's device key, which signs the bundle header")
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) != 0 || *out == "" || (len(ids) == 0) == since.t.IsZero() || since.t.IsZero() != until.t.IsZero() {
		fmt.Fprintln(c.stderr, "consent export: need -o FILE and either --id ... or both --since and --until")
		return exitUsage
	}
	sel := ledger.Selection{IDs: ids, Since: since.t, Until: until.t}
	if err := exportBundle(ctx, c, exportArgs{db: *db, out: *out, old: *oldCP, key: *keyPath}, sel); err != nil {
		fmt.Fprintf(c.stderr, "consent export: %v\n", err)
		return exitFailed
	}
	return exitOK
}

type exportArgs struct{ db, out, old, key string }

func exportBundle(ctx context.Context, c *cli, a exportArgs, sel ledger.Selection) error {
	var old []byte
	if a.old != "" {
		var err error
		if old, err = os.ReadFile(a.old); err != nil {
			return err
		}
	}
	key, err := devicekey.Load(a.key)
	if err != nil {
		return fmt.Errorf("the bundle header is signed with the device key (--device-key): %w", err)
	}
	out := a.out
	l, err := ledger.OpenReadOnly(a.db, nil)
	if err != nil {
		return err
	}
	defer l.Close()
	f, err := os.CreateTemp(filepath.Dir(out), ".consent-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := l.Export(ctx, f, sel, &ledger.ExportOpts{Signer: key, OldCheckpoint: old, Progress: progress(c.stderr)})
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Close()
	}
	if err == nil {
		err = os.Rename(f.Name(), out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "exported %d consent(s) of %s to %s\n", n, l.Origin(), out)
	return nil
}

// progress reports long exports on stderr every 1000 records.
func progress(w io.Writer) func(done, total int) {
	return func(done, total int) {
		if done%1000 == 0 && done < total {
			fmt.Fprintf(w, "  %d/%d records (%d%%)\n", done, total, done*100/total)
		}
	}
}

// loadPublicKey reads a device public key: a PEM "PUBLIC KEY" file, or a
// signed-note verifier key (origin+hash+base64) given inline or in a file.
func loadPublicKey(arg string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(arg)
	if err != nil {
		b = []byte(arg)
	}
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "-----BEGIN") {
		return devicekey.ParsePublicPEM(b)
	}
	parts := strings.SplitN(s, "+", 3) // name+hash+base64(0x01 || key)
	if len(parts) != 3 {
		return nil, fmt.Errorf("--pubkey: not a PEM public key file nor an Ed25519 note verifier key")
	}
	raw, derr := base64.StdEncoding.DecodeString(parts[2])
	if derr != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return nil, fmt.Errorf("--pubkey: not a PEM public key file nor an Ed25519 note verifier key")
	}
	return ed25519.PublicKey(raw[1:]), nil
}

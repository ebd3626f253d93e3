package main

import (
	"context"
	"crypto/hpke"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
)

// consentOpen is the only command that prints personal fields: it needs the
// archive private key, which only the municipality's auditors hold.
func consentOpen(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "open")
	keyPath := fs.String("archive-key", "", "archive private key (PEM) (required)")
	bf := addBundleFlags(fs)
	caPath := fs.String("ca", "", "PEM file of CA certificates to check e.firma signatures against")
	svgDir := fs.String("svg-dir", "", "write each handwritten signature as DIR/<id>.svg")
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) != 1 || *keyPath == "" {
		fmt.Fprintln(c.stderr, "consent open: need a bundle FILE and --archive-key K")
		return exitUsage
	}
	vo, err := bf.opts()
	if err != nil {
		fmt.Fprintf(c.stderr, "consent open: %v\n", err)
		return exitUsage
	}
	o, err := newOpener(*keyPath, *caPath, *svgDir)
	if err != nil {
		fmt.Fprintf(c.stderr, "consent open: %v\n", err)
		return exitUsage
	}
	rep, err := verifyFile(pos[0], vo)
	if err != nil || !rep.OK() {
		if rep != nil {
			printReport(c, pos[0], rep)
		}
		fmt.Fprintf(c.stderr, "consent open: the bundle does not verify; not opening it %v\n", errOrEmpty(err))
		return exitFailed
	}
	if err := o.openAll(c.stdout, pos[0]); err != nil {
		fmt.Fprintf(c.stderr, "consent open: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return "(" + err.Error() + ")"
}

type opener struct {
	key    hpke.PrivateKey
	roots  *x509.CertPool
	svgDir string
}

func newOpener(keyPath, caPath, svgDir string) (*opener, error) {
	o := &opener{svgDir: svgDir}
	if svgDir != "" {
		// Checked before anything is printed: a missing directory would
		// otherwise stop the command halfway through a record.
		if fi, err := os.Stat(svgDir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--svg-dir %s: not a directory (create it first)", svgDir)
		}
	}
	var err error
	if o.key, err = consent.LoadArchivePrivateKey(keyPath); err != nil {
		return nil, err
	}
	if caPath != "" {
		b, err := os.ReadFile(caPath)
		if err != nil {
			return nil, err
		}
		o.roots = x509.NewCertPool()
		if !o.roots.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate in it", caPath)
		}
	}
	return o, nil
}

func (o *opener) openAll(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br, err := bundle.NewReader(f)
	if err != nil {
		return err
	}
	for {
		e, err := br.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !br.Header().Selected(e.Index) {
			continue // a neighbour that proves a period boundary: not asked for
		}
		if err := o.openEntry(w, e); err != nil {
			return err
		}
	}
}

func (o *opener) openEntry(w io.Writer, e *bundle.Entry) error {
	r, err := consent.ParseRecord(e.Record)
	if err != nil {
		return fmt.Errorf("index %d: %w", e.Index, err)
	}
	printStatement(w, e.Index, r)
	p, err := consent.Open(o.key, r)
	if err != nil {
		fmt.Fprintf(w, "  sealed:      CANNOT OPEN: %v\n\n", err)
		return nil
	}
	fmt.Fprintf(w, "  name:        %s\n", p.Name)
	for _, cr := range p.Credentials {
		fmt.Fprintf(w, "  credential:  %s %s\n", cr.Kind, cr.Value)
	}
	if err := o.printHandwritten(w, r.ID, p.Handwritten); err != nil {
		return err
	}
	o.printEFirma(w, r, p.EFirma)
	if p.Typed != nil {
		fmt.Fprintf(w, "  typed:       acceptance typed on the keyboard (%s): %q\n", p.Typed.Lang, p.Typed.Phrase)
	}
	fmt.Fprintln(w)
	return nil
}

func printStatement(w io.Writer, idx int64, r *consent.Record) {
	fmt.Fprintf(w, "record %s  index %d\n", r.ID, idx)
	fmt.Fprintf(w, "  time:        %s (clock %s, max error %d ms)\n", r.Time.Format("2006-01-02T15:04:05.000Z07:00"), r.Clock.State, r.Clock.MaxErrorMillis)
	fmt.Fprintf(w, "  kiosk:       %s  operator %s\n", r.KioskID, r.OperatorID)
	fmt.Fprintf(w, "  notice:      %s version %s sha256 %x\n", r.Notice.ID, r.Notice.Version, r.Notice.SHA256)
	fmt.Fprintf(w, "  purposes:    %s\n  requests:    %s\n", strings.Join(r.Purposes, ", "), strings.Join(r.Requests, ", "))
}

func (o *opener) printHandwritten(w io.Writer, id consent.ID, s *consent.Strokes) error {
	if s == nil {
		return nil
	}
	pts := 0
	for _, st := range s.Strokes {
		pts += len(st)
	}
	fmt.Fprintf(w, "  handwritten: %d strokes, %d points, canvas %dx%d", len(s.Strokes), pts, s.Width, s.Height)
	if o.svgDir == "" {
		fmt.Fprintln(w, " (--svg-dir to draw it)")
		return nil
	}
	path := filepath.Join(o.svgDir, id.String()+".svg")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := consent.WriteStrokesSVG(f, s); err != nil {
		return err
	}
	fmt.Fprintf(w, " -> %s\n", path)
	return f.Close()
}

func (o *opener) printEFirma(w io.Writer, r *consent.Record, f *consent.EFirma) {
	if f == nil {
		return
	}
	subj, err := f.Subject()
	if err != nil {
		fmt.Fprintf(w, "  e.firma:     %v\n", err)
		return
	}
	fmt.Fprintf(w, "  e.firma:     %s  RFC %s  CURP %s\n", subj.Name, subj.RFC, subj.CURP)
	fmt.Fprintf(w, "               certificate %s valid %s..%s\n", subj.Serial, subj.NotBefore.Format("2006-01-02"), subj.NotAfter.Format("2006-01-02"))
	if o.roots == nil {
		fmt.Fprintln(w, "               signature not checked (give --ca with the SAT CA certificates)")
		return
	}
	st, _ := r.Statement.Bytes()
	if _, err := f.Verify(st, r.Time, o.roots); err != nil {
		fmt.Fprintf(w, "               FAIL %v\n", err)
		return
	}
	fmt.Fprintln(w, "               signature over the statement verifies against --ca at the consent time")
}

// consentKeygen makes the municipality's archive key pair.
func consentKeygen(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "keygen")
	prefix := fs.String("o", "", "write PREFIX.key (private, 0600) and PREFIX.pub (required)")
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) != 0 || *prefix == "" {
		fmt.Fprintln(c.stderr, "consent keygen: need -o PREFIX")
		return exitUsage
	}
	if err := writeArchiveKeys(*prefix); err != nil {
		fmt.Fprintf(c.stderr, "consent keygen: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(c.stderr, "wrote %s.key (keep it off the kiosks) and %s.pub (install on each kiosk)\n", *prefix, *prefix)
	return exitOK
}

func writeArchiveKeys(prefix string) error {
	k, err := consent.GenerateArchiveKey()
	if err != nil {
		return err
	}
	priv, err := consent.MarshalArchivePrivateKey(k)
	if err != nil {
		return err
	}
	if err := writeNew(prefix+".key", priv, 0o600); err != nil {
		return err
	}
	return writeNew(prefix+".pub", consent.MarshalArchivePublicKey(k.PublicKey()), 0o644)
}

// writeNew creates path (never overwriting) and fsyncs it.
func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

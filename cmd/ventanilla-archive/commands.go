package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

func parse(fs *flag.FlagSet, args []string, required ...*string) error {
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	for _, r := range required {
		if *r == "" {
			return usageError("missing a required flag (-h lists them)")
		}
	}
	return nil
}

// keygen makes the archive's signing key, its lookup key, or both; the
// lookup key alone is a rotation (docs/consent.md, "Lookup-key rotation").
func keygen(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	key := fs.String("key", "", "archive signing key (Ed25519 PEM; created, mode 0600)")
	lookup := fs.String("lookup", "", "lookup (HMAC) key file to create; copy it to every kiosk")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *key == "" && *lookup == "" {
		return usageError("need --key, --lookup or both")
	}
	if *key != "" {
		if err := signingKeygen(*key); err != nil {
			return err
		}
	}
	if *lookup == "" {
		return nil
	}
	return lookupKeygen(*lookup)
}

func signingKeygen(path string) error {
	k, created, err := devicekey.LoadOrCreate(path)
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("%s exists; not replaced", path)
	}
	pub, err := devicekey.MarshalPublicPEM(k.Public())
	if err != nil {
		return err
	}
	return os.WriteFile(path+".pub", pub, 0o644)
}

// lookupKeygen creates a lookup key file (never replacing one: the
// archive needs every key it used for as long as it keeps bindings).
func lookupKeygen(path string) error {
	b := make([]byte, consent.LookupKeySize)
	rand.Read(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(hex.EncodeToString(b) + "\n")
	return errors.Join(werr, f.Sync(), f.Close())
}

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dsn := fs.String("dsn", "", "owner role's connection string")
	svc := fs.String("service-role", "ventanilla_archive", "role the service connects as (SELECT, INSERT only)")
	ret := fs.String("retention-role", "ventanilla_retention", "role that erases payloads")
	if err := parse(fs, args, dsn); err != nil {
		return err
	}
	return withConn(ctx, *dsn, func(conn *pgx.Conn) error { return archive.Migrate(ctx, conn, *svc, *ret) })
}

// withConn runs fn on a plain connection, for the commands that act as a
// role other than the service's (migrate as the owner, erase as the
// retention role).
func withConn(ctx context.Context, dsn string, fn func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return fn(conn)
}

// signingFlags are the flags of the commands that act as the archive
// itself, with its signing key (serve, export).
type signingFlags struct{ dsn, key, name *string }

func addSigningFlags(fs *flag.FlagSet) signingFlags {
	return signingFlags{
		dsn:  fs.String("dsn", "", "service role's connection string"),
		key:  fs.String("archive-key", "", "archive signing key (countersigns checkpoints, signs exports)"),
		name: fs.String("name", "", "archive name (its signatures name ventanilla.mx/archive/NAME)"),
	}
}

func (f signingFlags) open(ctx context.Context) (*archive.Archive, error) {
	key, err := devicekey.Load(*f.key)
	if err != nil {
		return nil, err
	}
	return archive.Open(ctx, *f.dsn, *f.name, key)
}

// withUnsigned runs fn on the archive opened for a command that never
// signs (enrol, revoke): a throwaway key stands in for the archive's.
func withUnsigned(ctx context.Context, dsn, name string, fn func(*archive.Archive) error) error {
	key, err := devicekey.Generate()
	if err != nil {
		return err
	}
	a, err := archive.Open(ctx, dsn, name, key)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func enroll(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	dsn := fs.String("dsn", "", "service role's connection string")
	kiosk := fs.String("kiosk", "", "kiosk id")
	pubPath := fs.String("pubkey", "", "the kiosk's device public key (PEM)")
	if err := parse(fs, args, dsn, kiosk, pubPath); err != nil {
		return err
	}
	b, err := os.ReadFile(*pubPath)
	if err != nil {
		return err
	}
	pub, err := devicekey.ParsePublicPEM(b)
	if err != nil {
		return err
	}
	return withUnsigned(ctx, *dsn, "enroll", func(a *archive.Archive) error { return a.Enroll(ctx, *kiosk, pub) })
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	sf := addSigningFlags(fs)
	listen := fs.String("listen", "127.0.0.1:8443", "address to listen on")
	cert := fs.String("cert", "", "server certificate (PEM)")
	key := fs.String("key", "", "server key (PEM)")
	ca := fs.String("client-ca", "", "CA that issues the kiosks' client certificates (PEM); CN = kiosk id")
	health := fs.String("health-listen", "127.0.0.1:9465", "plain-HTTP /livez, /readyz, /metrics (no client certificate: keep it on loopback); empty disables")
	stale := fs.Duration("stale-after", 0, "/readyz fails when no push was committed for this long (0: never)")
	if err := parse(fs, args, sf.dsn, cert, key, ca, sf.key, sf.name); err != nil {
		return err
	}
	tc, err := serverTLS(*cert, *key, *ca)
	if err != nil {
		return err
	}
	a, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := serveHealth(ctx, a, *health, archive.HealthOpts{StaleAfter: *stale}); err != nil {
		return err
	}
	srv := &http.Server{Addr: *listen, Handler: a.Handler(), TLSConfig: tc,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	slog.Info("archive serving", "listen", *listen, "name", *sf.name)
	if err := srv.ListenAndServeTLS("", ""); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveHealth starts the health endpoint on addr (loopback by default; a
// non-loopback address is allowed but logged, as it needs no certificate).
func serveHealth(ctx context.Context, a *archive.Archive, addr string, o archive.HealthOpts) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("health listener: %w", err)
	}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err != nil || !ap.Addr().IsLoopback() {
		slog.Warn("health endpoint is not on loopback: anyone who reaches it reads the archive's state", "listen", ln.Addr().String())
	}
	srv := &http.Server{Handler: a.HealthHandler(o), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go srv.Serve(ln)
	slog.Info("archive health", "listen", ln.Addr().String())
	return nil
}

// revoke adds kiosk client certificates to the revocation list the
// archive checks on every push.
func revoke(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("revoke", flag.ContinueOnError)
	dsn := fs.String("dsn", "", "service role's connection string")
	certPath := fs.String("cert", "", "the kiosk's client certificate (PEM), or")
	serialText := fs.String("serial", "", "its serial in hex (openssl x509 -serial -noout)")
	kiosk := fs.String("kiosk", "", "kiosk id (recorded with the revocation; the certificate's CN when --cert)")
	reason := fs.String("reason", "", "why (e.g. kiosk stolen, key compromised)")
	if err := parse(fs, args, dsn, reason); err != nil {
		return err
	}
	serial, who, err := revokedSerial(*certPath, *serialText, *kiosk)
	if err != nil {
		return err
	}
	err = withUnsigned(ctx, *dsn, "revoke", func(a *archive.Archive) error { return a.Revoke(ctx, serial, who, *reason) })
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "certificate %s of kiosk %s revoked: its pushes are refused from now on\n", archive.SerialText(serial), who)
	return nil
}

func revokedSerial(certPath, serialText, kiosk string) (*big.Int, string, error) {
	if (certPath == "") == (serialText == "") {
		return nil, "", usageError("--cert FILE or --serial HEX (one of them)")
	}
	if serialText != "" {
		if kiosk == "" {
			return nil, "", usageError("--serial needs --kiosk")
		}
		s, err := archive.ParseSerial(serialText)
		return s, kiosk, err
	}
	b, err := os.ReadFile(certPath)
	if err != nil {
		return nil, "", err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, "", fmt.Errorf("%s: no PEM certificate", certPath)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, "", err
	}
	return c.SerialNumber, c.Subject.CommonName, nil
}

func serverTLS(certPath, keyPath, caPath string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(caPath)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", caPath)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}, nil
}

func export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	sf := addSigningFlags(fs)
	out := fs.String("o", "", "bundle file to write")
	request := fs.String("request", "", "INE request id")
	kind := fs.String("credential-kind", "", "credential kind (cic, claveElector, ocr, …); the value is read from stdin")
	var lookupPaths pathList
	fs.Var(&lookupPaths, "lookup-key", "lookup key file (with --credential-kind); repeat it with every key the kiosks have used since the period began")
	since := fs.String("since", "", "period start (2006-01-02 or RFC 3339, UTC)")
	until := fs.String("until", "", "period end, exclusive")
	if err := parse(fs, args, sf.dsn, sf.key, sf.name, out); err != nil {
		return err
	}
	sel, err := selection(*request, *kind, lookupPaths, *since, *until)
	if err != nil {
		return err
	}
	a, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	return writeBundle(ctx, a, sel, *out)
}

// pathList is a repeatable path flag.
type pathList []string

func (p *pathList) String() string     { return strings.Join(*p, ",") }
func (p *pathList) Set(v string) error { *p = append(*p, v); return nil }

func selection(request, kind string, lookupPaths []string, since, until string) (evidence.Selection, error) {
	if request != "" {
		if kind != "" {
			return evidence.Selection{}, usageError("--request or --credential-kind, not both")
		}
		return evidence.Selection{Request: request}, nil
	}
	if kind == "" || len(lookupPaths) == 0 || since == "" || until == "" {
		return evidence.Selection{}, usageError("need --request ID, or --credential-kind with --lookup-key, --since and --until")
	}
	keys, err := readLookupKeys(lookupPaths)
	if err != nil {
		return evidence.Selection{}, err
	}
	s, err1 := parseTime(since)
	u, err2 := parseTime(until)
	if err := errors.Join(err1, err2); err != nil {
		return evidence.Selection{}, usageError(err.Error())
	}
	fmt.Fprint(os.Stderr, "credential value: ")
	value, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && value == "" {
		return evidence.Selection{}, fmt.Errorf("reading the credential value from stdin: %w", err)
	}
	sel := lookupSelection(keys, consent.Credential{Kind: kind, Value: strings.TrimSpace(value)})
	sel.Since, sel.Until = &s, &u
	return sel, nil
}

func readLookupKeys(paths []string) ([][]byte, error) {
	keys := make([][]byte, len(paths))
	for i, p := range paths {
		k, err := consent.ReadLookupKey(p)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return keys, nil
}

// lookupSelection names the credential's commitment under each key: the
// first as Lookup, the others (after a rotation) as Lookups.
func lookupSelection(keys [][]byte, c consent.Credential) evidence.Selection {
	var sel evidence.Selection
	for _, k := range keys {
		l := consent.LookupCommitment(k, c)
		if sel.Lookup == nil {
			sel.Lookup = l[:]
		} else {
			sel.Lookups = append(sel.Lookups, l[:])
		}
	}
	return sel
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", s)
}

func writeBundle(ctx context.Context, a *archive.Archive, sel evidence.Selection, out string) error {
	tmp := out + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	n, err := a.Export(ctx, sel, f)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d records written to %s\n", n, out)
	return nil
}

func erase(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("erase", flag.ContinueOnError)
	dsn := fs.String("dsn", "", "retention role's connection string")
	before := fs.String("before", "", "erase sealed payloads of statements before this time")
	reason := fs.String("reason", "", "why (e.g. the retention rule applied)")
	if err := parse(fs, args, dsn, before, reason); err != nil {
		return err
	}
	t, err := parseTime(*before)
	if err != nil {
		return usageError(err.Error())
	}
	return withConn(ctx, *dsn, func(conn *pgx.Conn) error {
		n, err := archive.Erase(ctx, conn, t, *reason)
		if err == nil {
			fmt.Fprintf(os.Stderr, "%d payloads erased\n", n)
		}
		return err
	})
}

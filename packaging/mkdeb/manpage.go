package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// pageText is the hand-written part of a man page; the options come from
// the command's own --help, so they never drift from the code.
type pageText struct {
	summary     string // NAME line after the dash
	description string // paragraphs separated by blank lines
	files       []string
	seeAlso     string
}

var pages = map[string]pageText{
	"ventanillad": {
		summary: "Ventanilla identity-verification kiosk daemon",
		description: "ventanillad drives the kiosk's camera and fingerprint scanner, records each citizen's consent " +
			"in a tamper-evident ledger, and sends the credential data with one biometric, end-to-end encrypted, " +
			"to INE's verification service. Biometric data lives only in locked memory and is wiped after each answer.\n\n" +
			"It is started by systemd (ventanillad.service), which runs it sandboxed as the user ventanilla " +
			"with a watchdog. Check a changed configuration with --check-config before restarting the service.",
		files: []string{
			"/etc/ventanilla/ventanilla.toml", "the configuration (a conffile: upgrades never overwrite it)",
			"/etc/ventanilla/private/", "the operators' PIN hashes (mode 0750 root:ventanilla)",
			"/etc/ventanilla/ine/", "INE's keys and CA, this kiosk's TLS client certificate and key (mode 0750 root:ventanilla)",
			"/etc/ventanilla/keys/archive.pub", "the municipality's archive public key",
			"/var/lib/ventanilla/", "consent ledger and device key; kept when the package is purged",
			"/run/ventanilla/diag.sock", "the diagnostics socket used by ventanillactl(1)",
		},
		seeAlso: "ventanillactl(1), systemd.exec(5), journalctl(1), /usr/share/doc/ventanilla/operations.md.gz",
	},
	"ventanillactl": {
		summary: "Ventanilla technician and auditor tool",
		description: "ventanillactl talks to a running ventanillad(8) over its diagnostics socket (health, status, " +
			"metrics, self-tests, log level) and runs the offline tools: consent evidence, device emulators and codecs.\n\n" +
			"Members of the group ventanilla-tech may read; members of ventanilla-admin may also run self-tests and " +
			"change the log level.\n\n" +
			"Exit status: 0 ok; 1 not healthy or a check failed; 2 usage error; 3 cannot connect to the daemon.",
		files: []string{
			"/etc/ventanilla/ventanilla.toml", "read to find the diagnostics socket",
			"/run/ventanilla/diag.sock", "the diagnostics socket",
		},
		seeAlso: "ventanillad(8), /usr/share/doc/ventanilla/operations.md.gz",
	},
	"ventanilla-capture": {
		summary: "Ventanilla capture process (camera, face analysis, liveness)",
		description: "ventanilla-capture runs the kiosk camera, face analysis and liveness checks for ventanillad(8), " +
			"which starts it with a socket on file descriptor 3 (`ventanilla-capture serve`), restarts it when it dies " +
			"and reports it as capture.unavailable while it is down. It is the only Ventanilla program that links OpenCV; " +
			"it opens no network connection, holds no key and never opens the consent ledger, and runs under the " +
			"daemon's sandbox. Only the best shot and the liveness decision leave it.\n\n" +
			"`ventanilla-capture eval --manifest FILE` runs the liveness evaluation harness (ventanillactl liveness eval runs it).",
		seeAlso: "ventanillad(8), ventanillactl(1)",
	},
	"ine-sim": {
		summary: "reference INE verification service for tests and demonstrations",
		description: "ine-sim implements INE's side of Ventanilla's verification protocol against a registry of " +
			"synthetic citizens, with fault injection. It lets a kiosk be demonstrated or tested without INE. " +
			"It is never pointed at real citizens' data.",
		seeAlso: "ventanillad(8), ventanillactl(1)",
	},
}

// pageFor returns the hand-written text for a command, with a plain
// default for commands added later.
func pageFor(name string) pageText {
	if p, ok := pages[name]; ok {
		return p
	}
	return pageText{summary: "part of Ventanilla", description: name + " is one of the Ventanilla commands.",
		seeAlso: "ventanillad(8), ventanillactl(1)"}
}

// helpText runs the command with --help and returns what it printed.
func helpText(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--help")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C"}
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("man page: %s --help did not finish: %w", filepath.Base(path), ctx.Err())
	}
	if out.Len() == 0 {
		return "", fmt.Errorf("man page: %s --help printed nothing (%v)", filepath.Base(path), err)
	}
	return out.String(), nil
}

// roffText escapes free text for roff: backslashes, hyphens (so they stay
// ASCII minus signs) and control characters at the start of a line.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// ManPage renders a man(7) page for a command from its hand-written text
// and its --help output.
func ManPage(b binary, version string, date time.Time, help string) string {
	p := pageFor(b.name)
	var w strings.Builder
	fmt.Fprintf(&w, ".TH %s %s %q %q %q\n", strings.ToUpper(b.name), b.section,
		date.UTC().Format("2006-01-02"), "ventanilla "+version, "Ventanilla")
	fmt.Fprintf(&w, ".SH NAME\n%s \\- %s\n", roffText(b.name), roffText(p.summary))
	fmt.Fprintf(&w, ".SH SYNOPSIS\n.B %s\n[\\fIOPTIONS\\fR]\n", roffText(b.name))
	w.WriteString(".SH DESCRIPTION\n")
	for i, para := range strings.Split(p.description, "\n\n") {
		if i > 0 {
			w.WriteString(".PP\n")
		}
		w.WriteString(roffText(para) + "\n")
	}
	fmt.Fprintf(&w, ".SH OPTIONS\nThe command's own help, as printed by \\fB%s \\-\\-help\\fR:\n", roffText(b.name))
	w.WriteString(".PP\n.nf\n.ft CR\n" + roffText(strings.TrimRight(help, "\n")) + "\n.ft\n.fi\n")
	if len(p.files) > 0 {
		w.WriteString(".SH FILES\n")
		for i := 0; i+1 < len(p.files); i += 2 {
			fmt.Fprintf(&w, ".TP\n.I %s\n%s\n", roffText(p.files[i]), roffText(p.files[i+1]))
		}
	}
	fmt.Fprintf(&w, ".SH SEE ALSO\n%s\n", roffText(p.seeAlso))
	return w.String()
}

// writeManPage renders b's man page into the work directory, gzipped.
func (s *Spec) writeManPage(b binary) (string, error) {
	help, err := helpText(filepath.Join(s.BinDir, b.name))
	if err != nil {
		return "", err
	}
	return s.writeGzip(b.name+"."+b.section+".gz", []byte(ManPage(b, s.Version, s.Date, help)))
}

// writeGzip writes data gzipped at maximum compression with no name or
// time in the header (reproducible; what lintian expects of docs).
func (s *Spec) writeGzip(name string, data []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(data); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(s.Work, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return path, nil
}

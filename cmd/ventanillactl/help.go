package main

import (
	"context"
	"fmt"
	"strings"
)

// commandHelp is what `ventanillactl COMMAND --help` prints above the
// command's own flags: its usage lines and one example.
type commandHelp struct{ usage, example string }

var helps = map[string]commandHelp{
	"status":    {"status [--config FILE | --socket PATH] [--json]", "ventanillactl status"},
	"health":    {"health [--config FILE | --socket PATH] [--json]", "ventanillactl health || echo 'kiosk not ready'"},
	"selftest":  {"selftest [--config FILE | --socket PATH] [--json]", "sudo ventanillactl selftest"},
	"metrics":   {"metrics [--config FILE | --socket PATH] [--json]", "ventanillactl metrics --json"},
	"loglevel":  {"loglevel [--config FILE | --socket PATH] debug|info|warn|error", "ventanillactl loglevel debug"},
	"devices":   {"devices [--config FILE | --socket PATH] [--json]", "ventanillactl devices"},
	"config":    {"config check FILE", "ventanillactl config check /etc/ventanilla/ventanilla.toml"},
	"provision": {"provision device-key | csr [--out FILE] | check", "sudo ventanillactl provision check"},
	"kiosk": {"kiosk hash-pin [--operator ID [--append FILE]] < PIN\n" +
		"kiosk lockouts [--config FILE | --socket PATH] [--json]   operator-login lockouts and their time left\n" +
		"kiosk unlock [--config FILE | --socket PATH]   lift every lockout (admin; logged with your uid)",
		"sudo ventanillactl kiosk unlock"},
	"consent": {"consent export (--id ID ... | --since T --until T) -o FILE [--db PATH] [--device-key PATH] [--old-checkpoint FILE]\n" +
		"consent verify FILE [--pubkey K] [--checkpoint OLD] [--since T --until T] [--allow-v1]\n" +
		"consent verify --db PATH\n" +
		"consent open FILE --archive-key K [--pubkey K] [--ca CERTS] [--svg-dir DIR]\n" +
		"consent keygen -o PREFIX\n" +
		"T is RFC 3339 (2026-03-14T16:00:00Z) or a date (2026-03-14), read as UTC midnight;\n" +
		"--since is inclusive, --until exclusive",
		"ventanillactl consent export --since 2026-03-01 --until 2026-04-01 -o marzo.bundle"},
	"sim":      {"sim scanner [flags]", "sudo -u ventanilla ventanillactl sim scanner --link /run/ventanilla-sim/scanner"},
	"finger":   {"finger quality IMAGE [--ppi N] [--bits N] [--json]", "ventanillactl finger quality print.png --json"},
	"wsq":      {"wsq encode IN.png OUT.wsq [--bitrate B] [--ppi N] | wsq decode IN.wsq OUT.png | wsq info IN.wsq", "ventanillactl wsq info print.wsq"},
	"liveness": {"liveness eval --manifest FILE [flags]", "ventanillactl liveness eval --manifest .cache/eval/manifest.json"},
}

// printHelp prints a command's summary, usage and example, then its own
// flag list (what the command prints for -h, on either stream). It is
// always a success: the user asked for help.
func printHelp(ctx context.Context, c *cli, cmd command) int {
	h := helps[cmd.name]
	fmt.Fprintf(c.stdout, "ventanillactl %s: %s\n\nusage:\n", cmd.name, cmd.summary)
	for _, line := range strings.Split(or(h.usage, cmd.name), "\n") {
		if strings.HasPrefix(line, cmd.name) {
			line = "ventanillactl " + line
		}
		fmt.Fprintf(c.stdout, "  %s\n", line)
	}
	if h.example != "" {
		fmt.Fprintf(c.stdout, "\nexample:\n  %s\n", h.example)
	}
	var flags strings.Builder
	sub := &cli{stdout: &flags, stderr: &flags, stdin: strings.NewReader(""), globals: c.globals}
	cmd.run(ctx, sub, []string{"-h"})
	if text := strings.TrimSpace(flags.String()); strings.Contains(text, "\n  -") || strings.HasPrefix(text, "-") {
		fmt.Fprintf(c.stdout, "\n%s\n", text)
	}
	fmt.Fprintln(c.stdout, "\nexit codes: see `ventanillactl help`")
	return exitOK
}

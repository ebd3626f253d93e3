// Command ventanillactl is the technician's and auditor's tool: it talks to a
// running ventanillad over the diagnostics socket, and runs the offline tools
// (consent evidence, liveness evaluation, device emulators, codecs).
//
// Exit codes: 0 ok; 1 not healthy or a check failed; 2 usage error;
// 3 cannot connect to the daemon.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes, documented in the package comment and in `ventanillactl help`.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnreachable = 3
)

// command is one subcommand. run gets the arguments after the command name
// and returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, cli *cli, args []string) int
}

// cli carries the process's streams so commands can be tested in-process,
// and the global flags given before the command name.
type cli struct {
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader

	globals globalFlags
}

// globalFlags may come before the command ("ventanillactl --config F status");
// commands that talk to the daemon use them as their defaults.
type globalFlags struct {
	config string
	socket string
	json   bool
}

// commands is the table of subcommands; each lives in its own file.
var commands = []command{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &cli{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, c *cli, args []string) int {
	args, err := parseGlobals(c, args)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl:", err)
		return exitUsage
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(c.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			if len(args) == 2 && isHelp(args[1]) {
				return printHelp(ctx, c, cmd)
			}
			return cmd.run(ctx, c, args[1:])
		}
	}
	fmt.Fprintf(c.stderr, "ventanillactl: unknown command %q; run `ventanillactl help`\n", args[0])
	return exitUsage
}

// parseGlobals consumes --config, --socket and --json before the command.
func parseGlobals(c *cli, args []string) ([]string, error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		switch name {
		case "json":
			c.globals.json = true
			args = args[1:]
			continue
		case "config", "socket":
		default:
			return nil, fmt.Errorf("unknown global flag %s; global flags are --config, --socket and --json", args[0])
		}
		if !hasValue {
			if len(args) < 2 {
				return nil, fmt.Errorf("flag %s needs a value", args[0])
			}
			value, args = args[1], args[1:]
		}
		args = args[1:]
		if name == "config" {
			c.globals.config = value
		} else {
			c.globals.socket = value
		}
	}
	return args, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ventanillactl: the technician's and auditor's tool for a Ventanilla kiosk")
	fmt.Fprintln(w, "\nusage: ventanillactl [--config FILE | --socket PATH] [--json] COMMAND [flags]")
	fmt.Fprintln(w, "\ncommands:")
	sorted := append([]command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, cmd := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nexit codes (the same for every command; docs/operations.md, \"ventanillactl\"):")
	fmt.Fprintln(w, "  0  ok: the daemon is ready, the check passed, the file was written")
	fmt.Fprintln(w, "  1  not ready, a check failed, or something is missing or unreadable")
	fmt.Fprintln(w, "  2  usage: unknown command or flag, missing argument")
	fmt.Fprintln(w, "  3  cannot connect to the daemon (not running, wrong socket, no permission)")
	fmt.Fprintln(w, "\nexample:\n  ventanillactl health")
	fmt.Fprintln(w, "run `ventanillactl COMMAND --help` for a command's usage, flags and an example")
}

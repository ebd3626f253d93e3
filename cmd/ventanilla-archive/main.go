// Command ventanilla-archive is the municipality's consent archive
// (docs/operations.md, "Consent archive"): it receives the kiosks' consent
// logs over mutual TLS, witnesses and countersigns their checkpoints, keeps
// them in PostgreSQL, and exports INE's evidence requests.
//
//	ventanilla-archive keygen  [--key PATH] [--lookup PATH]    (--lookup alone: a new lookup key, for a rotation)
//	ventanilla-archive migrate --dsn OWNER-DSN [--service-role R] [--retention-role R]
//	ventanilla-archive enroll  --dsn DSN --kiosk ID --pubkey kiosk.pub
//	ventanilla-archive serve   --dsn DSN --listen ADDR --cert C --key K --client-ca CA --archive-key PATH --name NAME [--health-listen 127.0.0.1:9465] [--stale-after D]
//	ventanilla-archive export  --dsn DSN --archive-key PATH --name NAME (--request ID | --credential-kind KIND --lookup-key PATH [--lookup-key OLD]… --since T --until T) -o FILE
//	ventanilla-archive erase   --dsn RETENTION-DSN --before T --reason TEXT
//	ventanilla-archive revoke  --dsn DSN (--cert kiosk.pem | --serial HEX --kiosk ID) --reason TEXT
//
// A credential's value is read from standard input, never from the command
// line (it would land in shell history and the process list).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

var version = "dev"

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

var commands = map[string]func(ctx context.Context, args []string) error{
	"keygen":  keygen,
	"migrate": migrate,
	"enroll":  enroll,
	"serve":   serve,
	"export":  export,
	"erase":   erase,
	"revoke":  revoke,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 || commands[args[0]] == nil {
		fmt.Fprintf(os.Stderr, "ventanilla-archive %s\nusage: ventanilla-archive keygen|migrate|enroll|serve|export|erase|revoke [flags] (-h for each)\n", version)
		return exitUsage
	}
	if err := commands[args[0]](ctx, args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "ventanilla-archive %s: %v\n", args[0], err)
		if _, ok := err.(usageError); ok {
			return exitUsage
		}
		return exitFail
	}
	return exitOK
}

type usageError string

func (u usageError) Error() string { return string(u) }

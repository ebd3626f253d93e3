// Command ine-sim is the reference INE verification service for
// development, tests, demos and load: it implements the INE side of
// docs/protocol.md (package uplink/inesim) with the OpenCV matcher
// (uplink/inesim/cvmatch).
//
//	ine-sim keygen -dir D [-kiosk-id ID] [-kem mlkem768-x25519|x25519] [-device-key PATH]
//	ine-sim serve  -dir D [-addr 127.0.0.1:8443] [-registry D/registry.json] [-fault MODE -fault-every N] [-latency 0]
//	ine-sim load   -dir D [-url https://...] [-n 200] [-c 4] [-device-key PATH]
//
// It never stores what it receives and logs no request content. It is a
// simulator: never deploy it as a verification service.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, stdout, stderr io.Writer, args []string) int
}

var commands = []command{
	{"keygen", "write a development CA, certificates, INE keys, enrolled kiosk and demo registry", runKeygen},
	{"serve", "serve the verification protocol over TLS", runServe},
	{"load", "drive verifications and report throughput", runLoad},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Stdout, os.Stderr, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	if len(args) > 0 {
		for _, c := range commands {
			if c.name == args[0] {
				return c.run(ctx, stdout, stderr, args[1:])
			}
		}
	}
	fmt.Fprintln(stderr, "usage: ine-sim COMMAND [flags]   (ine-sim COMMAND -h for flags)")
	for _, c := range commands {
		fmt.Fprintf(stderr, "  %-7s %s\n", c.name, c.summary)
	}
	return exitUsage
}

// Command ventanilla-capture is the kiosk's capture process: the camera,
// face analysis and liveness (everything that links OpenCV) in a program
// of its own, started and supervised by ventanillad.
//
//	ventanilla-capture serve      serve capture/proto on fd 3 (a SOCK_SEQPACKET socket)
//	ventanilla-capture eval ...   run the liveness evaluation harness (ventanillactl liveness eval runs this)
//	ventanilla-capture --version
//
// It uses no network, holds no key and never opens the consent ledger;
// under systemd it runs with a seccomp filter and no network access
// (packaging/). Only the best shot and the decision leave it; frames never
// do, except the preview (320 px, JPEG q60, at most 10/s).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: ventanilla-capture COMMAND

  serve                 serve the capture protocol on fd 3 (ventanillad starts it so)
  eval --manifest FILE [--json] [--explain]
                        run the liveness evaluation harness on a manifest
  --version             print the version
`

// version is set at link time (-X main.version=..., Makefile and packaging).
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "--help", "-h", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "--version", "version":
		fmt.Fprintf(stdout, "ventanilla-capture %s\n", version)
		return 0
	case "serve":
		return serve(ctx, stderr)
	case "eval":
		return runEval(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ventanilla-capture: unknown command %q\n", args[0])
	return 2
}

// Command ventanillad is the Ventanilla kiosk daemon. main only parses
// flags; run wires everything through package daemon.
//
// Exit status: 0 after a clean stop; 1 when the daemon failed or the config
// is invalid; 2 on a usage error; 3 when there is no config file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	sd "github.com/coreos/go-systemd/v22/daemon"

	"github.com/ventanilla-mx/ventanilla/daemon"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
)

type flags struct {
	config      string
	checkConfig string
	version     bool
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("ventanillad", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config, "config", config.DefaultPath,
		"path of the TOML config file to run with (see docs/configuration.md)")
	fs.StringVar(&f.checkConfig, "check-config", "",
		"validate the config file at this path, print what is wrong with file:line, and exit 0 (valid) or 1 (invalid)")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ventanillad [--config FILE] | --check-config FILE | --version")
		fmt.Fprintln(stderr, "\nventanillad runs an identity-verification kiosk: camera, fingerprint scanner,")
		fmt.Fprintln(stderr, "consent ledger and the encrypted link to INE. It is normally started by systemd.")
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, nil
}

func main() {
	f, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ventanillad:", err)
		os.Exit(2)
	}
	os.Exit(run(f, os.Stdout, os.Stderr))
}

// run does what the flags ask and returns the exit status.
func run(f *flags, stdout, stderr io.Writer) int {
	switch {
	case f.version:
		fmt.Fprintln(stdout, "ventanillad", daemon.Version)
		return 0
	case f.checkConfig != "":
		return checkConfig(f.checkConfig, stdout, stderr)
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		fmt.Fprintln(stderr, "ventanillad:", err)
		return configExit(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wd, err := sd.SdWatchdogEnabled(false)
	if err != nil {
		fmt.Fprintln(stderr, "ventanillad: watchdog settings:", err)
		return 1
	}
	if err := daemon.Run(ctx, daemon.Options{Config: cfg, WatchdogInterval: wd}); err != nil {
		fmt.Fprintln(stderr, "ventanillad:", err)
		return 1
	}
	return 0
}

func checkConfig(path string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: valid (version %d, kiosk %s)\n", cfg.File, cfg.Version, cfg.Kiosk.ID)
	return 0
}

func configExit(err error) int {
	if errors.Is(err, config.ErrNotFound) {
		return 3
	}
	return 1
}

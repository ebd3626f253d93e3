package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/drivers/sim"
)

func init() {
	commands = append(commands, command{
		name:    "sim",
		summary: "run a device emulator (sim scanner: R30x fingerprint module on a pty)",
		run:     runSim,
	})
}

func runSim(ctx context.Context, c *cli, args []string) int {
	if len(args) == 0 || args[0] != "scanner" {
		fmt.Fprintln(c.stderr, "usage: ventanillactl sim scanner [flags]   (run `ventanillactl sim scanner -h`)")
		return exitUsage
	}
	return runSimScanner(ctx, c, args[1:])
}

func runSimScanner(ctx context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("sim scanner", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	link := fs.String("link", filepath.Join(os.TempDir(), "ventanilla-scanner"),
		"stable path kept pointing at the current pty (like /dev/ventanilla/scanner); empty for none")
	model := fs.String("model", "R307", "module to emulate: R307 (256x288; also AS608, ZFM-20) or R503 (192x192, extras)")
	baud := fs.Int("baud", 57600, "the module's line rate (9600×N)")
	packet := fs.Int("packet", 128, "data packet size: 32, 64, 128 or 256")
	password := fs.Uint("password", 0, "handshake password")
	seed := fs.Uint64("seed", 1, "synthetic finger used by FINGER with no source")
	unpaced := fs.Bool("unpaced", false, "do not pace output at the baud rate (faster than a real line)")
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: ventanillactl sim scanner [flags]\n\nRuns an emulated R30x fingerprint module on a pseudo-terminal, prints its path,\nand reads commands on standard input (HELP lists them).\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg := sim.Config{Model: sim.Model(*model), Address: 0xFFFFFFFF, Password: uint32(*password), Baud: *baud, PacketSize: *packet}
	dev, err := sim.NewDevice(cfg)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl sim scanner:", err)
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, nil))
	p, err := sim.NewPTY(dev, sim.PTYOpts{Link: *link, Unpaced: *unpaced, Logger: logger})
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl sim scanner:", err)
		return exitFailed
	}
	defer p.Close()
	fmt.Fprintln(c.stdout, p.Path())
	fmt.Fprintf(c.stdout, "emulated %s at %d baud on %s; type HELP for commands, Ctrl-D to quit\n", cfg.Model, cfg.Baud, p.TTY())
	if err := sim.NewController(p, *seed).Serve(ctx, c.stdin, c.stdout); err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl sim scanner:", err)
		return exitFailed
	}
	return exitOK
}

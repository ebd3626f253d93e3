package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func init() {
	commands = append(commands, command{
		name:    "liveness",
		summary: "liveness tools: `liveness eval --manifest FILE [--json] [--explain] [--capture-bin PATH] [--landmarks DIR] [--pad DIR]`",
		run:     runLiveness,
	})
}

// runLiveness runs `ventanilla-capture eval`: the harness runs in the
// process that owns the capture pipeline (and OpenCV), so ventanillactl
// links none of it. Flags, manifest format and output are unchanged.
func runLiveness(ctx context.Context, c *cli, args []string) int {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprintln(c.stderr, "usage: ventanillactl liveness eval --manifest FILE [--json] [--explain] [--capture-bin PATH] [--landmarks DIR] [--pad DIR]")
		return exitUsage
	}
	fs := flag.NewFlagSet("liveness eval", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	manifest := fs.String("manifest", "", "evaluation manifest (JSON; format in docs/liveness.md)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	explain := fs.Bool("explain", false, "add every item's cue scores and challenge results")
	bin := fs.String("capture-bin", "", "the ventanilla-capture executable (default: next to ventanillactl)")
	landmarks := fs.String("landmarks", "", "face mesh model directory (default: ventanilla-capture's; \"\" when given empty: the cascades)")
	padDir := fs.String("pad", "", "anti-spoofing models to measure (default: ventanilla-capture's, the installed or build tree's; \"\" when given empty: none)")
	if err := fs.Parse(args[1:]); err != nil || *manifest == "" || fs.NArg() > 0 {
		if err == nil {
			fmt.Fprintln(c.stderr, "liveness eval: --manifest is required")
		}
		return exitUsage
	}
	if *bin == "" {
		*bin = captureBin()
	}
	argv := []string{"eval", "--manifest", *manifest}
	if *asJSON {
		argv = append(argv, "--json")
	}
	if *explain {
		argv = append(argv, "--explain")
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "landmarks":
			argv = append(argv, "--landmarks", *landmarks)
		case "pad":
			argv = append(argv, "--pad", *padDir)
		}
	})
	cmd := exec.CommandContext(ctx, *bin, argv...)
	cmd.Stdout, cmd.Stderr = c.stdout, c.stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		return exitUsage
	case errors.As(err, &exit):
		return exitFailed
	}
	fmt.Fprintf(c.stderr, "liveness eval: %v (install ventanilla-capture next to ventanillactl or pass --capture-bin)\n", err)
	return exitFailed
}

// installedCapture is where the package puts ventanilla-capture (beside
// the daemon).
const installedCapture = "/usr/sbin/ventanilla-capture"

// captureBin is ventanilla-capture next to this executable (a build tree's
// bin/), else the installed one.
func captureBin() string {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "ventanilla-capture")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return installedCapture
}

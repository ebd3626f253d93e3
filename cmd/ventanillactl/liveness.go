package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/liveness/eval"
)

func init() {
	commands = append(commands, command{
		name:    "liveness",
		summary: "liveness tools: `liveness eval --manifest FILE [--json] [--explain]`",
		run:     runLiveness,
	})
}

func runLiveness(ctx context.Context, c *cli, args []string) int {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprintln(c.stderr, "usage: ventanillactl liveness eval --manifest FILE [--json] [--explain]")
		return exitUsage
	}
	fs := flag.NewFlagSet("liveness eval", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	manifest := fs.String("manifest", "", "evaluation manifest (JSON; format in docs/liveness.md)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	explain := fs.Bool("explain", false, "add every item's cue scores and challenge results")
	if err := fs.Parse(args[1:]); err != nil || *manifest == "" || fs.NArg() > 0 {
		if err == nil {
			fmt.Fprintln(c.stderr, "liveness eval: --manifest is required")
		}
		return exitUsage
	}
	f, err := os.Open(*manifest)
	if err != nil {
		fmt.Fprintf(c.stderr, "liveness eval: %v\n", err)
		return exitFailed
	}
	m, err := eval.ParseManifest(f, filepath.Dir(*manifest))
	f.Close()
	if err != nil {
		fmt.Fprintf(c.stderr, "liveness eval: %v\n", err)
		return exitFailed
	}
	o := &eval.Opts{} // unscripted attacks get a seeded kiosk-like draw
	rep := eval.Summarise(eval.Run(ctx, m, o), *explain)
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return exitFailed
		}
		return exitOK
	}
	rep.WriteText(c.stdout)
	return exitOK
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/liveness/eval"
)

// runEval is `ventanillactl liveness eval` (which executes this): the
// harness of liveness/eval on a manifest, in the process that owns the
// capture pipeline. Flags and output are ventanillactl's.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	manifest := fs.String("manifest", "", "evaluation manifest (JSON; format in docs/liveness.md)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	explain := fs.Bool("explain", false, "add every item's cue scores and challenge results")
	landmarks := fs.String("landmarks", liveness.DefaultLandmarkDir(), "face mesh model directory (\"\": the cascades measure the challenges)")
	padDir := fs.String("pad", liveness.DefaultPADDir(), "anti-spoofing models (liveness/pad) to score, measured only (\"\": none)")
	if err := fs.Parse(args); err != nil || *manifest == "" || fs.NArg() > 0 {
		if err == nil {
			fmt.Fprintln(stderr, "liveness eval: --manifest is required")
		}
		return 2
	}
	f, err := os.Open(*manifest)
	if err != nil {
		fmt.Fprintf(stderr, "liveness eval: %v\n", err)
		return 1
	}
	m, err := eval.ParseManifest(f, filepath.Dir(*manifest))
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "liveness eval: %v\n", err)
		return 1
	}
	lo := liveness.DefaultOpts()
	lo.LandmarkDir = *landmarks
	lo.PADDir = *padDir           // scores pad_real/pad_live; MinPADReal stays 0 (docs/liveness.md)
	o := &eval.Opts{Liveness: lo} // unscripted attacks get a seeded kiosk-like draw
	rep := eval.Summarise(eval.Run(ctx, m, o), *explain)
	rep.Geometry = "cascades"
	if lo.LandmarkDir != "" {
		rep.Geometry = "face mesh (" + lo.LandmarkDir + ")"
	}
	if lo.PADDir != "" {
		rep.Geometry += "; pad models measured (" + lo.PADDir + ")"
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return 1
		}
		return 0
	}
	rep.WriteText(stdout)
	return 0
}

package main

// Offline fingerprint tools for technicians: judge an image the way the
// kiosk does, and convert between PNG/JPEG and WSQ. These run on files the
// technician names; nothing here talks to the daemon.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg" // input images may be JPEG
	"image/png"
	"io"
	"os"

	"github.com/ventanilla-mx/ventanilla/capture/finger"
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
)

func init() {
	commands = append(commands,
		command{name: "finger", summary: "fingerprint image tools: quality", run: runFinger},
		command{name: "wsq", summary: "WSQ codec: encode, decode, info", run: runWSQ},
	)
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments and returns the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(c *cli, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "usage: ventanillactl %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// usageErr reports a usage problem and returns the usage exit code.
func usageErr(c *cli, fs *flag.FlagSet, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl %s: %v\n", fs.Name(), err)
	}
	fs.Usage()
	return exitUsage
}

func runFinger(_ context.Context, c *cli, args []string) int {
	if len(args) == 0 || args[0] != "quality" {
		fmt.Fprintln(c.stderr, "usage: ventanillactl finger quality IMAGE [--ppi N] [--bits N] [--json]")
		return exitUsage
	}
	fs := newFlagSet(c, "finger quality", "finger quality IMAGE [flags]\n\nJudges a PNG, JPEG or WSQ fingerprint image as the kiosk does.\nExit status 0 when the image would be accepted, 1 when not.")
	ppi := fs.Float64("ppi", finger.TargetPPI, "resolution of the image in pixels per inch (WSQ files carry their own)")
	bits := fs.Int("bits", 8, "significant bits per sample (4 for R30x images)")
	asJSON := fs.Bool("json", false, "print the assessment as JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) != 1 {
		return usageErr(c, fs, err)
	}
	img, filePPI, err := readImage(pos[0])
	if err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl finger quality: %v\n", err)
		return exitFailed
	}
	if filePPI > 0 {
		*ppi = float64(filePPI)
	}
	as, err := assessFile(img, finger.Source{PPI: *ppi, BitDepth: *bits})
	if err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl finger quality: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		printJSON(c.stdout, as)
	} else {
		printAssessment(c.stdout, as)
	}
	if as.Verdict != finger.Accept {
		return exitFailed
	}
	return exitOK
}

func assessFile(img *image.Gray, src finger.Source) (*finger.Assessment, error) {
	norm, err := finger.Normalize(img, src, finger.HeapAlloc)
	if err != nil {
		return nil, err
	}
	a, err := finger.NewAssessor(nil)
	if err != nil {
		return nil, err
	}
	return a.Assess(norm)
}

func printAssessment(w io.Writer, as *finger.Assessment) {
	ft := as.Features
	fmt.Fprintf(w, "score      %d\nverdict    %s\nfeedback   %s: %s\n", as.Score, as.Verdict, as.Feedback, as.Feedback.Message())
	for _, h := range as.Hints[1:] {
		fmt.Fprintf(w, "also       %s: %s\n", h, h.Message())
	}
	fmt.Fprintf(w, "area       %.0f mm² (%.0f%% of the image), centre offset %.2f,%.2f\n",
		ft.AreaMM2, 100*ft.AreaFraction, ft.CentreOffsetX, ft.CentreOffsetY)
	fmt.Fprintf(w, "clarity    OCL %.3f  LCS %.3f  FDA %.3f  OF %.3f\n", ft.OCL, ft.LCS, ft.FDA, ft.OrientationFlow)
	fmt.Fprintf(w, "gray       ridges %.0f  valleys %.0f  contrast %.0f  ridge period %.1f px\n",
		ft.RidgeLevel, ft.ValleyLevel, ft.Contrast, ft.RidgePeriod)
}

func printJSON(w io.Writer, as *finger.Assessment) {
	out := struct {
		*finger.Assessment
		Message string `json:"message"`
	}{as, as.Feedback.Message()}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// readImage reads a PNG, JPEG or WSQ file as 8-bit gray; ppi is the WSQ
// NIST_COM resolution, or 0.
func readImage(path string) (img *image.Gray, ppi int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xA0}) {
		img, info, err := wsq.NewDecoder(nil).Decode(data, wsq.HeapAlloc)
		return img, max(info.PPI, 0), err
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return toGray(src), 0, nil
}

func toGray(src image.Image) *image.Gray {
	if g, ok := src.(*image.Gray); ok {
		return g
	}
	b := src.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			g.Set(x, y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return g
}

func runWSQ(_ context.Context, c *cli, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(c.stderr, "usage: ventanillactl wsq encode IN.png OUT.wsq [--bitrate B] [--ppi N]\n       ventanillactl wsq decode IN.wsq OUT.png\n       ventanillactl wsq info IN.wsq")
		return exitUsage
	}
	switch args[0] {
	case "encode":
		return wsqEncode(c, args[1:])
	case "decode":
		return wsqDecode(c, args[1:])
	case "info":
		return wsqInfo(c, args[1:])
	}
	fmt.Fprintf(c.stderr, "ventanillactl wsq: unknown subcommand %q; use encode, decode or info\n", args[0])
	return exitUsage
}

func wsqEncode(c *cli, args []string) int {
	fs := newFlagSet(c, "wsq encode", "wsq encode IN.png OUT.wsq [flags]\n\nCompresses an 8-bit grayscale image (PNG or JPEG) to WSQ.")
	rate := fs.Float64("bitrate", wsq.DefaultBitRate, "target bits per pixel (0.75 is the FBI setting, about 15:1)")
	ppi := fs.Int("ppi", wsq.DefaultPPI, "resolution recorded in the NIST_COM comment")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 2 {
		return usageErr(c, fs, err)
	}
	img, _, err := readImage(pos[0])
	var data []byte
	if err == nil {
		data, err = wsq.Encode(img, &wsq.Options{BitRate: *rate, PPI: *ppi})
	}
	if err == nil {
		err = os.WriteFile(pos[1], data, 0o600)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl wsq encode: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "%s: %dx%d, %d bytes, %.1f:1\n", pos[1], img.Rect.Dx(), img.Rect.Dy(),
		len(data), float64(img.Rect.Dx()*img.Rect.Dy())/float64(len(data)))
	return exitOK
}

func wsqDecode(c *cli, args []string) int {
	fs := newFlagSet(c, "wsq decode", "wsq decode IN.wsq OUT.png\n\nDecompresses a WSQ file to PNG.")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 2 {
		return usageErr(c, fs, err)
	}
	err = decodeToPNG(pos[0], pos[1])
	if err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl wsq decode: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func decodeToPNG(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	img, err := wsq.Decode(data)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o600)
}

func wsqInfo(c *cli, args []string) int {
	fs := newFlagSet(c, "wsq info", "wsq info IN.wsq\n\nPrints the frame size and the NIST_COM resolution and bit rate.")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		return usageErr(c, fs, err)
	}
	data, err := os.ReadFile(pos[0])
	if err == nil {
		var info wsq.Info
		if info, err = wsq.DecodeConfig(data); err == nil {
			fmt.Fprintf(c.stdout, "size       %dx%d\nppi        %d\nbitrate    %g\nencoder    %d\nbytes      %d\n",
				info.Width, info.Height, info.PPI, info.BitRate, info.Encoder, len(data))
		}
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl wsq info: %v\n", err)
		return exitFailed
	}
	return exitOK
}

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ventanilla-mx/ventanilla/session/operator"
)

func init() {
	commands = append(commands, command{
		name:    "kiosk",
		summary: "kiosk tools (kiosk hash-pin: argon2id hash of an operator PIN for [kiosk_api.operators])",
		run:     runKiosk,
	})
}

func runKiosk(ctx context.Context, c *cli, args []string) int {
	if len(args) == 0 || args[0] != "hash-pin" {
		fmt.Fprintln(c.stderr, "usage: ventanillactl kiosk hash-pin [--operator ID] < pin   (the PIN is read from standard input)")
		return exitUsage
	}
	fs := flag.NewFlagSet("kiosk hash-pin", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	id := fs.String("operator", "", "operator id: print a ready config line `ID = \"HASH\"`")
	appendTo := fs.String("append", "", "with --operator: append the line `ID HASH` to this kiosk_api.operators_file (created 0640) instead of printing")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	pin, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && pin == "" {
		fmt.Fprintln(c.stderr, "ventanillactl: kiosk hash-pin: no PIN on standard input")
		return exitUsage
	}
	h, err := operator.HashPIN(strings.TrimSpace(pin), operator.DefaultParams)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl: kiosk hash-pin:", err)
		return exitUsage
	}
	if *appendTo != "" {
		return appendOperator(c, *appendTo, *id, h)
	}
	if *id != "" {
		fmt.Fprintf(c.stdout, "%s = %q\n", *id, h)
		return exitOK
	}
	fmt.Fprintln(c.stdout, h)
	return exitOK
}

// appendOperator adds "ID HASH" to an operators file, readable by root and
// the daemon's group only: the file gets its directory's group
// (/etc/ventanilla/private is root:ventanilla).
func appendOperator(c *cli, path, id, hash string) int {
	if id == "" {
		fmt.Fprintln(c.stderr, "ventanillactl: kiosk hash-pin: --append needs --operator")
		return exitUsage
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err == nil {
		err = chownGroupLike(path, filepath.Dir(path))
	}
	if err == nil {
		_, err = fmt.Fprintf(f, "%s %s\n", id, hash)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl: kiosk hash-pin:", err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "operator %s added to %s\n", id, path)
	return exitOK
}

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
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
	if *id != "" {
		fmt.Fprintf(c.stdout, "%s = %q\n", *id, h)
		return exitOK
	}
	fmt.Fprintln(c.stdout, h)
	return exitOK
}

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"

	"github.com/ventanilla-mx/ventanilla/session/operator"
)

func init() {
	commands = append(commands, command{
		name:    "kiosk",
		summary: "kiosk tools: hash-pin (argon2id hash of an operator PIN), lockouts (login lockouts and their time left), unlock (lift them; admin)",
		run:     runKiosk,
	})
}

func runKiosk(ctx context.Context, c *cli, args []string) int {
	switch {
	case len(args) > 0 && args[0] == "lockouts":
		return cmdLockouts(ctx, c, args[1:])
	case len(args) > 0 && args[0] == "unlock":
		return cmdUnlock(ctx, c, args[1:])
	case len(args) == 0 || args[0] != "hash-pin":
		fmt.Fprintln(c.stderr, "usage: ventanillactl kiosk hash-pin [--operator ID] < pin   (the PIN is read from standard input)\n"+
			"       ventanillactl kiosk lockouts | unlock [--config FILE | --socket PATH]")
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

// cmdLockouts lists the operator-login lockouts with their time left.
func cmdLockouts(ctx context.Context, c *cli, args []string) int {
	a, rc, done := query[diagapi.Lockouts](ctx, c, "kiosk lockouts", http.MethodGet, "/v1/kiosk/lockouts", args)
	if done || a.raw {
		return rc
	}
	if len(a.v.Clients) == 0 {
		fmt.Fprintln(c.stdout, "no operator login is locked and no wrong PIN is counted")
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tWRONG PINS\tLOCKED\tTIME LEFT")
	for _, l := range a.v.Clients {
		locked, left := "no", "-"
		if l.RemainingS > 0 {
			locked, left = "yes", (time.Duration(l.RemainingS) * time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", l.Client, l.Failures, locked, left)
	}
	tw.Flush()
	return exitOK
}

// cmdUnlock lifts every operator-login lockout (admin); the daemon logs
// it with the technician's uid.
func cmdUnlock(ctx context.Context, c *cli, args []string) int {
	a, rc, done := query[diagapi.LockoutLift](ctx, c, "kiosk unlock", http.MethodPost, "/v1/kiosk/lockouts/lift", args)
	if done || a.raw {
		return rc
	}
	if a.status != http.StatusOK {
		fmt.Fprintln(c.stderr, "ventanillactl: kiosk unlock: the daemon answered", a.status)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "operator logins unlocked (%d client(s) were locked)\n", a.v.Lifted)
	return exitOK
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
)

func init() {
	commands = append(commands, command{name: "devices",
		summary: "camera and scanner: path, state and line counters (exit 1 when one is not ready)", run: cmdDevices})
}

func cmdDevices(ctx context.Context, c *cli, args []string) int {
	a, rc, done := query[[]diagapi.DeviceState](ctx, c, "devices", http.MethodGet, "/v1/devices", args)
	if done {
		return rc
	}
	if !a.raw {
		printDevices(c, a.v)
	}
	for _, dev := range a.v {
		if dev.State != "ready" && dev.State != "idle" && dev.State != "streaming" {
			return exitFailed
		}
	}
	return exitOK
}

func printDevices(c *cli, devs []diagapi.DeviceState) {
	if len(devs) == 0 {
		fmt.Fprintln(c.stdout, "no devices are configured")
		return
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tKIND\tSTATE\tSINCE\tPATH\tMODEL\tBAUD\tDETAIL")
	for _, dv := range devs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", dv.Name, dv.Kind, dv.State,
			dv.Since.Local().Format(time.TimeOnly), dv.Path, or(dv.Info["model"], "-"), or(dv.Info["baud"], "-"),
			strings.TrimSpace(shortDetail(dv.Detail)+formatInfo(dv.Info)))
	}
	tw.Flush()
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// formatInfo lists a device's other facts, leaving out the model and
// baud (columns of their own) and counters still at zero.
func formatInfo(info map[string]string) string {
	keys := make([]string, 0, len(info))
	for k, v := range info {
		if k != "model" && k != "baud" && v != "0" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + info[k]
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

// maxDetail bounds a DETAIL cell, so tables fit a technician's terminal.
const maxDetail = 60

// shortDetail keeps the last two links of a Go error chain ("a: b: c: d"
// gives "c: d": the failing operation and its cause) within maxDetail runes.
func shortDetail(s string) string {
	if parts := strings.Split(s, ": "); len(parts) > 2 {
		s = strings.Join(parts[len(parts)-2:], ": ")
	}
	if r := []rune(s); len(r) > maxDetail {
		s = string(r[:maxDetail-1]) + "…"
	}
	return s
}

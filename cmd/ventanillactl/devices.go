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
	fmt.Fprintln(tw, "DEVICE\tKIND\tSTATE\tSINCE\tPATH\tDETAIL")
	for _, dv := range devs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", dv.Name, dv.Kind, dv.State,
			dv.Since.Local().Format(time.TimeOnly), dv.Path, dv.Detail+formatInfo(dv.Info))
	}
	tw.Flush()
}

func formatInfo(info map[string]string) string {
	if len(info) == 0 {
		return ""
	}
	keys := make([]string, 0, len(info))
	for k := range info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + info[k]
	}
	return " " + strings.Join(parts, " ")
}

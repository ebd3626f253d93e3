package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
	"github.com/ventanilla-mx/ventanilla/health"
)

func init() {
	commands = append(commands,
		command{name: "status", summary: "version, uptime, settings and conditions of the running daemon", run: cmdStatus},
		command{name: "health", summary: "readiness and visible conditions (exit 1 when not ready)", run: cmdHealth},
		command{name: "selftest", summary: "run the daemon's self-tests (admin; exit 1 when one fails)", run: cmdSelftest},
		command{name: "metrics", summary: "print the daemon's Prometheus metrics", run: cmdMetrics},
		command{name: "loglevel", summary: "set the daemon's log level: loglevel debug|info|warn|error (admin)", run: cmdLogLevel},
		command{name: "config", summary: "config check FILE: validate a config file offline", run: cmdConfig},
	)
}

// parseDaemonCmd parses the common flags; ok=false means exit with code.
func parseDaemonCmd(c *cli, name string, args []string) (*daemonFlags, []string, int, bool) {
	fs := flag.NewFlagSet("ventanillactl "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var d daemonFlags
	d.register(fs, c.globals)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, nil, exitOK, false
		}
		return nil, nil, exitUsage, false
	}
	return &d, fs.Args(), 0, true
}

// fetch runs one request and reports errors on stderr.
func fetch(ctx context.Context, c *cli, d *daemonFlags, method, path string, body io.Reader) (int, []byte, int) {
	cl, err := d.client()
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl:", err)
		return 0, nil, exitUsage
	}
	code, b, err := cl.do(ctx, method, path, body)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl:", err)
		return code, b, exitFor(err)
	}
	return code, b, exitOK
}

// answer is a decoded reply of the daemon.
type answer[T any] struct {
	v      T
	status int  // HTTP status
	raw    bool // --json: the reply was printed as is
}

// query parses the common flags, sends one request without a body and
// decodes the JSON reply. With --json it prints the reply as is. When rc
// is not exitOK (or done is set, for -h) the command returns rc at once.
func query[T any](ctx context.Context, c *cli, name, method, path string, args []string) (a answer[T], rc int, done bool) {
	d, _, code, ok := parseDaemonCmd(c, name, args)
	if !ok {
		return a, code, true
	}
	status, body, rc := fetch(ctx, c, d, method, path, nil)
	if rc != exitOK {
		return a, rc, true
	}
	if err := json.Unmarshal(body, &a.v); err != nil {
		fmt.Fprintf(c.stderr, "ventanillactl: unreadable %s reply from the daemon: %v\n", name, err)
		return a, exitFailed, true
	}
	a.status, a.raw = status, d.json
	if d.json {
		c.stdout.Write(body)
	}
	return a, exitOK, false
}

func cmdStatus(ctx context.Context, c *cli, args []string) int {
	a, rc, done := query[diagapi.Status](ctx, c, "status", http.MethodGet, "/v1/status", args)
	if done {
		return rc
	}
	if !a.raw {
		printStatus(c.stdout, &a.v)
	}
	if !a.v.Ready {
		return exitFailed
	}
	return exitOK
}

func printStatus(w io.Writer, st *diagapi.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "state:\t%s\n", readyWord(st.Ready, st.Summary))
	fmt.Fprintf(tw, "version:\t%s (%s)\n", st.Version, st.GoVersion)
	fmt.Fprintf(tw, "pid:\t%d\n", st.PID)
	fmt.Fprintf(tw, "uptime:\t%s (since %s)\n", st.Uptime, st.Started.Local().Format(time.DateTime))
	for _, k := range []string{"kiosk_id", "file", "state_dir", "diag_socket", "log_level", "metrics_listen"} {
		if v, ok := st.Config[k]; ok && fmt.Sprint(v) != "" {
			fmt.Fprintf(tw, "%s:\t%v\n", strings.ReplaceAll(k, "_", " "), v)
		}
	}
	tw.Flush()
	printConditions(w, st.Conditions)
}

func readyWord(ready bool, summary string) string {
	if ready && summary == "ok" {
		return "healthy"
	}
	if ready {
		return "ready, " + summary
	}
	return summary
}

func printConditions(w io.Writer, conds []health.State) {
	if len(conds) == 0 {
		fmt.Fprintln(w, "\nno conditions: every check passes")
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONDITION\tSEVERITY\tREADY\tSINCE\tDETAIL\tWHAT TO DO")
	for _, s := range conds {
		detail := shortDetail(s.Detail)
		if len(s.CausedBy) > 0 {
			detail = "caused by " + fmt.Sprint(s.CausedBy) + "; " + detail
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Code, s.Severity, readyMark(s),
			s.Since.Local().Format(time.TimeOnly), detail, s.Message)
	}
	tw.Flush()
}

// readyMark says whether a condition keeps the kiosk from taking
// sessions: "NOT READY" when it counts on its own, "-" otherwise.
func readyMark(s health.State) string {
	if s.NotReady && len(s.CausedBy) == 0 {
		return "NOT READY"
	}
	return "-"
}

func cmdHealth(ctx context.Context, c *cli, args []string) int {
	a, rc, done := query[diagapi.HealthReport](ctx, c, "health", http.MethodGet, "/v1/health", args)
	if done {
		return rc
	}
	if !a.raw {
		fmt.Fprintln(c.stdout, map[bool]string{true: "ready", false: "NOT READY"}[a.v.Ready])
		printConditions(c.stdout, a.v.Conditions)
	}
	if a.status != http.StatusOK || !a.v.Ready {
		return exitFailed
	}
	return exitOK
}

// selftestReply is the body of POST /v1/selftest.
type selftestReply struct {
	OK     bool                 `json:"ok"`
	Checks []health.CheckResult `json:"checks"`
}

func cmdSelftest(ctx context.Context, c *cli, args []string) int {
	a, rc, done := query[selftestReply](ctx, c, "selftest", http.MethodPost, "/v1/selftest", args)
	if done {
		return rc
	}
	if !a.raw {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CHECK\tRESULT\tTIME\tERROR")
		for _, ch := range a.v.Checks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ch.Name, map[bool]string{true: "ok", false: "FAIL"}[ch.OK],
				ch.Duration.Round(time.Millisecond), ch.Error)
		}
		tw.Flush()
	}
	if !a.v.OK {
		return exitFailed
	}
	return exitOK
}

func cmdMetrics(ctx context.Context, c *cli, args []string) int {
	d, _, code, ok := parseDaemonCmd(c, "metrics", args)
	if !ok {
		return code
	}
	_, body, rc := fetch(ctx, c, d, http.MethodGet, "/metrics", nil)
	if rc != exitOK {
		return rc
	}
	if !d.json {
		c.stdout.Write(body)
		return exitOK
	}
	if err := writeMetricsJSON(c.stdout, body); err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl:", err)
		return exitFailed
	}
	return exitOK
}

func cmdLogLevel(ctx context.Context, c *cli, args []string) int {
	d, rest, code, ok := parseDaemonCmd(c, "loglevel", args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintln(c.stderr, "usage: ventanillactl loglevel [flags] debug|info|warn|error")
		return exitUsage
	}
	body, _ := json.Marshal(map[string]string{"level": rest[0]})
	status, b, rc := fetch(ctx, c, d, http.MethodPut, "/v1/loglevel", strings.NewReader(string(body)))
	if rc != exitOK {
		return rc
	}
	if status != http.StatusOK {
		fmt.Fprintln(c.stderr, "ventanillactl:", errorText(b))
		return exitUsage
	}
	fmt.Fprintln(c.stdout, "log level:", rest[0])
	return exitOK
}

func cmdConfig(_ context.Context, c *cli, args []string) int {
	if len(args) != 2 || args[0] != "check" {
		fmt.Fprintln(c.stderr, "usage: ventanillactl config check FILE")
		return exitUsage
	}
	cfg, err := config.Load(args[1])
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "%s: valid (version %d, kiosk %s)\n", cfg.File, cfg.Version, cfg.Kiosk.ID)
	return exitOK
}

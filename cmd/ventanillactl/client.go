package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
)

// daemonFlags are the flags of every command that talks to the daemon.
type daemonFlags struct {
	socket  string
	config  string
	json    bool
	timeout time.Duration
}

func (d *daemonFlags) register(fs *flag.FlagSet, g globalFlags) {
	cfg := g.config
	if cfg == "" {
		cfg = config.DefaultPath
	}
	fs.StringVar(&d.socket, "socket", g.socket, "diagnostics socket of the daemon (default: from --config)")
	fs.StringVar(&d.config, "config", cfg, "config file to find the socket in when --socket is not given")
	fs.BoolVar(&d.json, "json", g.json, "print the daemon's JSON instead of a table")
	fs.DurationVar(&d.timeout, "timeout", 30*time.Second, "give up on the daemon after this long")
}

// errUnreachable marks failures to reach the daemon (exit code 3).
var errUnreachable = errors.New("cannot reach the daemon")

func (d *daemonFlags) socketPath() (string, error) {
	if d.socket != "" {
		return d.socket, nil
	}
	cfg, err := config.Load(d.config)
	if err != nil {
		return "", fmt.Errorf("finding the socket: %w (or pass --socket)", err)
	}
	return cfg.SocketPath(), nil
}

// diagClient speaks HTTP over the unix socket.
type diagClient struct {
	hc   *http.Client
	path string
}

func (d *daemonFlags) client() (*diagClient, error) {
	path, err := d.socketPath()
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "unix", path)
	}}
	return &diagClient{hc: &http.Client{Transport: tr, Timeout: d.timeout}, path: path}, nil
}

// do sends a request and returns status and body. Connection failures wrap
// errUnreachable; a 403 says how to get access.
func (c *diagClient) do(ctx context.Context, method, path string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://ventanillad"+path, body)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w at %s: %v (is ventanillad running? `systemctl status ventanillad`)", errUnreachable, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: reading the answer: %v", errUnreachable, err)
	}
	if resp.StatusCode == http.StatusForbidden {
		return resp.StatusCode, b, fmt.Errorf("the daemon refused: %s", errorText(b))
	}
	return resp.StatusCode, b, nil
}

func errorText(b []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		return e.Error
	}
	return strings.TrimSpace(string(b))
}

// exitFor maps an error from do to an exit code.
func exitFor(err error) int {
	if errors.Is(err, errUnreachable) {
		return exitUnreachable
	}
	return exitFailed
}

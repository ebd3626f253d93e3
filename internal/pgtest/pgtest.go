package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
)

// Cluster is a running throwaway server.
type Cluster struct {
	Dir     string // the cluster's parent directory; the socket lives here
	bin     string
	runas   string // "" when not root
	data    string
	logf    string
	stopped bool
}

// Options tune the cluster. The zero value gives a fast cluster without
// fsync (for functional tests); Durable keeps PostgreSQL's defaults
// (fsync=on, synchronous_commit=on), for measurements and crash tests.
type Options struct {
	Durable bool
}

// Start initialises and starts a cluster; it is stopped and removed by
// tb.Cleanup. The superuser is "postgres" and local connections trust.
func Start(tb testing.TB, o Options) *Cluster {
	tb.Helper()
	bin, err := FindBin()
	testenv.Require(tb, "PostgreSQL server (Debian package postgresql)", err)
	c, err := start(bin, o)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() { c.Stop() })
	return c
}

// FindBin returns the directory holding initdb, pg_ctl and postgres: the
// newest /usr/lib/postgresql/<v>/bin, or the one pg_config names.
func FindBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("initdb not found: %w", os.ErrNotExist)
}

func start(bin string, o Options) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin, data: filepath.Join(dir, "data"), logf: filepath.Join(dir, "log")}
	if err := c.prepare(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.initdb(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.startServer(o); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// prepare makes the directory usable by the postgres user when we are root.
func (c *Cluster) prepare() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs the postgres user: %w", err)
	}
	c.runas = u.Username
	var uid, gid int
	fmt.Sscan(u.Uid, &uid)
	fmt.Sscan(u.Gid, &gid)
	if err := os.Chmod(c.Dir, 0o755); err != nil {
		return err
	}
	return os.Chown(c.Dir, uid, gid)
}

func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.runas == "" {
		return exec.Command(path, args...)
	}
	return exec.Command("runuser", append([]string{"-u", c.runas, "--", path}, args...)...)
}

func (c *Cluster) run(name string, args ...string) error {
	out, err := c.cmd(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (c *Cluster) initdb() error {
	return c.run("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
}

func (c *Cluster) startServer(o Options) error {
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c max_connections=200", c.Dir)
	if !o.Durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	return c.run("pg_ctl", "-D", c.data, "-l", c.logf, "-o", opts, "-w", "-t", "60", "start")
}

// DSN returns a libpq/pgx connection string for database db as user.
func (c *Cluster) DSN(user, db string) string {
	return fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", c.Dir, user, db)
}

// Stop stops the server (fast shutdown) and removes the directory.
func (c *Cluster) Stop() error {
	if c.stopped {
		return nil
	}
	c.stopped = true
	err := c.run("pg_ctl", "-D", c.data, "-m", "fast", "-w", "stop")
	if rmErr := os.RemoveAll(c.Dir); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	return err
}

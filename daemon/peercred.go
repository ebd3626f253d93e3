package daemon

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// peer is who is on the other end of a diagnostics connection, as the
// kernel says (SO_PEERCRED), not as the client claims.
type peer struct {
	pid, uid int
	gids     []int // primary and supplementary groups
}

type peerKey struct{}

// peerOf reads SO_PEERCRED from a unix connection and the peer's
// supplementary groups from /proc.
func peerOf(c net.Conn) (peer, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return peer{}, errors.New("not a unix socket connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return peer{}, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return peer{}, err
	}
	if cerr != nil {
		return peer{}, fmt.Errorf("SO_PEERCRED: %w", cerr)
	}
	p := peer{pid: int(cred.Pid), uid: int(cred.Uid), gids: []int{int(cred.Gid)}}
	p.gids = append(p.gids, procGroups(p.pid)...)
	return p, nil
}

// procGroups reads the "Groups:" line of /proc/PID/status. A process that
// has already gone yields no supplementary groups, which only ever denies.
func procGroups(pid int) []int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "Groups:")
		if !ok {
			continue
		}
		var gids []int
		for _, field := range strings.Fields(rest) {
			if g, err := strconv.Atoi(field); err == nil {
				gids = append(gids, g)
			}
		}
		return gids
	}
	return nil
}

// access is what an endpoint needs.
type access int

const (
	readAccess  access = iota // health, status, metrics, devices
	writeAccess               // self-test, log level
)

// policy decides who may do what on the diagnostics socket: root and the
// daemon's own user may do anything; the admin group may read and write;
// the technician group may read.
type policy struct {
	selfUID  int
	techGID  int // -1 when not configured or unknown
	adminGID int
}

func (p policy) allows(c peer, need access) bool {
	if c.uid == 0 || c.uid == p.selfUID {
		return true
	}
	if p.adminGID >= 0 && slices.Contains(c.gids, p.adminGID) {
		return true
	}
	return need == readAccess && p.techGID >= 0 && slices.Contains(c.gids, p.techGID)
}

// lookupGID resolves a group name; empty or unknown names give -1 and,
// for unknown ones, an error to log.
func lookupGID(name string) (int, error) {
	if name == "" {
		return -1, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return -1, fmt.Errorf("group %q: %w (nobody is admitted through it)", name, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return -1, fmt.Errorf("group %q: gid %q: %w", name, g.Gid, err)
	}
	return gid, nil
}

func withPeer(ctx context.Context, c net.Conn) context.Context {
	p, err := peerOf(c)
	if err != nil {
		return ctx // no peer in context: every request is refused
	}
	return context.WithValue(ctx, peerKey{}, p)
}

func peerFrom(ctx context.Context) (peer, bool) {
	p, ok := ctx.Value(peerKey{}).(peer)
	return p, ok
}

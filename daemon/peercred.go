package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/user"
	"slices"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// peer is who is on the other end of a diagnostics connection, as the
// kernel says (SO_PEERCRED), not as the client claims.
type peer struct {
	pid, uid int
	gids     []int // primary and supplementary groups
}

type peerKey struct{}

// peerOf reads SO_PEERCRED and SO_PEERGROUPS from a unix connection: the
// credentials the peer had when it connected, from the kernel, without
// looking into /proc (hidden under systemd's ProtectProc=invisible).
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
	var groups []int
	var cerr, gerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		groups, gerr = peerGroups(int(fd))
	}); err != nil {
		return peer{}, err
	}
	if cerr != nil {
		return peer{}, fmt.Errorf("SO_PEERCRED: %w", cerr)
	}
	if gerr != nil {
		return peer{}, fmt.Errorf("SO_PEERGROUPS: %w", gerr)
	}
	return peer{pid: int(cred.Pid), uid: int(cred.Uid), gids: append([]int{int(cred.Gid)}, groups...)}, nil
}

// peerGroups reads the peer's supplementary groups (SO_PEERGROUPS, Linux
// 4.13+), growing the buffer when the kernel says it is too small.
func peerGroups(fd int) ([]int, error) {
	buf := make([]uint32, 32)
	for {
		n := uint32(len(buf) * 4)
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_PEERGROUPS,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
		switch {
		case errno == unix.ERANGE && int(n/4) > len(buf):
			buf = make([]uint32, n/4)
			continue
		case errno != 0:
			return nil, errno
		}
		out := make([]int, n/4)
		for i := range out {
			out[i] = int(buf[i])
		}
		return out, nil
	}
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

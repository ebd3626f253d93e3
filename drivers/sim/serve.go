package sim

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
)

// chunk is how many bytes the pacer releases at once: 2.8 ms of line time
// at 57600 baud, well under the driver's poll granularity.
const chunk = 16

// errUnplugged ends a session's writes when the module is unplugged.
var errUnplugged = errors.New("sim: unplugged")

// session is one plug-in period: the master side and the line clock.
type session struct {
	p        *PTY
	m        *os.File
	done     chan struct{}
	lineFree time.Time // when the last paced byte finishes on the wire
}

// serve runs the module on one pseudo-terminal until it is unplugged.
func (p *PTY) serve(m *os.File, done chan struct{}) {
	defer p.wg.Done()
	s := &session{p: p, m: m, done: done}
	if p.powerOnByte() {
		// The R503 needs ~50 ms to start, then announces itself.
		if !s.sleep(50 * time.Millisecond) {
			return
		}
		if s.write([]byte{0x55}, p.dev.Config().Baud) != nil {
			return
		}
	}
	buf := make([]byte, 1024)
	var acc []byte
	for {
		n, err := m.Read(buf)
		if err != nil {
			return
		}
		if !s.baudMatches() {
			// At the wrong rate a UART hears framing errors and noise: no
			// header ever decodes, so the module stays silent.
			p.count(func(st *LineStats) { st.MismatchedBytes += uint64(n) })
			acc = acc[:0]
			continue
		}
		acc = append(acc, buf[:n]...)
		if acc, err = s.handle(acc); err != nil {
			return
		}
	}
}

func (p *PTY) powerOnByte() bool {
	if p.opts.PowerOnByte != nil {
		return *p.opts.PowerOnByte
	}
	return p.dev.Config().Model == R503
}

func (p *PTY) count(f func(*LineStats)) {
	p.mu.Lock()
	f(&p.stats)
	p.statsChangedLocked()
	p.mu.Unlock()
}

// statsChangedLocked wakes every Await.
func (p *PTY) statsChangedLocked() {
	if p.changed != nil {
		close(p.changed)
	}
	p.changed = make(chan struct{})
}

// handle executes every complete frame in acc and returns the rest.
func (s *session) handle(acc []byte) ([]byte, error) {
	for {
		f, skipped, n, err := fp.ParseFrame(acc)
		if errors.Is(err, fp.ErrIncomplete) {
			return append(acc[:0], acc[n:]...), nil
		}
		baud := s.p.dev.Config().Baud
		// The command is heard only once its last byte is on the wire.
		if !s.sleep(s.wireTime(n-skipped, baud)) {
			return nil, errUnplugged
		}
		var resp Response
		if err != nil {
			resp = s.p.dev.ReceiveError() // bad checksum: "error receiving package"
		} else {
			resp = s.p.dev.Handle(f)
		}
		s.p.count(func(st *LineStats) { st.CommandsIn++ })
		if err := s.respond(resp, baud); err != nil {
			return nil, err
		}
		acc = acc[n:]
	}
}

// respond sends resp at baud with the armed faults applied.
func (s *session) respond(resp Response, baud int) error {
	if len(resp.Frames) == 0 {
		return nil
	}
	s.p.mu.Lock()
	fs := takeFaults(&s.p.faults, len(resp.Frames))
	garbage := fs.garbage(s.p.rng)
	s.p.mu.Unlock()
	if !s.sleep(fs.delay()) {
		return errUnplugged
	}
	wire := garbage
	for i, f := range resp.Frames {
		wire = append(wire, fs.mangle(i, fp.AppendFrame(nil, f))...)
	}
	err := s.write(wire, baud)
	clear(wire) // image data
	return err
}

func (s *session) wireTime(n, baud int) time.Duration {
	if s.p.opts.Unpaced {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(baud)
}

// write sends b as a UART at baud would deliver it: byte k is released
// when its stop bit would have arrived, 10 bits per byte after the
// previous one, in chunks so the sleeps stay coarse.
func (s *session) write(b []byte, baud int) error {
	if s.p.opts.Unpaced {
		return s.put(b)
	}
	start := time.Now()
	if s.lineFree.After(start) {
		start = s.lineFree
	}
	for off := 0; off < len(b); {
		end := min(off+chunk, len(b))
		if !s.sleep(time.Until(start.Add(s.wireTime(end, baud)))) {
			return errUnplugged
		}
		if err := s.put(b[off:end]); err != nil {
			return err
		}
		off = end
	}
	s.lineFree = start.Add(s.wireTime(len(b), baud))
	return nil
}

func (s *session) put(b []byte) error {
	_, err := s.m.Write(b)
	s.p.count(func(st *LineStats) { st.BytesOut += uint64(len(b)) })
	return err
}

// sleep waits d unless the module is unplugged first.
func (s *session) sleep(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-s.done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.done:
		return false
	case <-t.C:
		return true
	}
}

// baudMatches compares the speed the host configured on the terminal
// (termios is shared by both ends of a pty, so TCGETS on the master reads
// what the driver set on the slave) with the module's rate.
func (s *session) baudMatches() bool {
	host, err := ttyBaud(s.m)
	return err == nil && host == s.p.dev.Config().Baud
}

// ttyBaud reads the terminal's output speed without switching the master
// to blocking mode (File.Fd would).
func ttyBaud(m *os.File) (int, error) {
	rc, err := m.SyscallConn()
	if err != nil {
		return 0, err
	}
	var t *unix.Termios
	var ierr error
	if err := rc.Control(func(fd uintptr) { t, ierr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil {
		return 0, err
	}
	if ierr != nil {
		return 0, ierr
	}
	return speeds[t.Cflag&unix.CBAUD], nil
}

var speeds = map[uint32]int{
	unix.B1200: 1200, unix.B2400: 2400, unix.B4800: 4800, unix.B9600: 9600, unix.B19200: 19200,
	unix.B38400: 38400, unix.B57600: 57600, unix.B115200: 115200, unix.B230400: 230400,
}

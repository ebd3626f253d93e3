package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Controller drives an emulated scanner with text commands, one per line,
// like libfprint's virtual devices (SCAN/ERROR/UNPLUG). Commands are case
// insensitive; see Help.
type Controller struct {
	pty *PTY

	mu       sync.Mutex
	seed     uint64 // synthetic finger used by FINGER without a source
	next     int    // its next impression
	fingers  map[uint64]int
	lastSeed uint64
}

// NewController controls pty; FINGER with no source uses synthetic finger seed.
func NewController(pty *PTY, seed uint64) *Controller {
	return &Controller{pty: pty, seed: seed, fingers: map[uint64]int{}}
}

// Help lists the commands.
const Help = `commands (case-insensitive):
  FINGER [SOURCE]        place a finger: a PNG/JPEG path, seed:N[:I] (synthetic finger N,
                         impression I), or nothing (next impression of the default finger)
  SCAN [SOURCE]          same as FINGER
  LIFT                   lift the finger
  AUTO [POLLS|OFF]       a citizen who follows the prompts: the default finger is placed on the
                         POLLS-th empty capture poll (default 10) and lifted after each upload
  UNPLUG | PLUG | REPLUG unplug / plug in the module (new pty; the link follows)
  POWERON                send the power-up 0x55 byte (R503 does on every plug)
  BAUD RATE              the module's own rate (model a baud mismatch)
  ERROR CODE [TIMES]     answer the next command(s) with confirmation code CODE (hex 0x.. or decimal)
  GARBAGE N [TIMES]      N noise bytes before the next response(s)
  CHECKSUM [FRAME [TIMES]] corrupt frame FRAME (0 = acknowledge, 1.. data packets) of the next response(s)
  DROP [FRAME [TIMES]]   never send that frame
  SHORT [FRAME [TIMES]]  send only half of that frame
  DELAY DURATION [TIMES] answer late (e.g. 2s)
  STATUS                 show the module's state
  HELP                   this text`

// Exec runs one command line and returns its answer.
func (c *Controller) Exec(line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", nil
	}
	cmd, args := strings.ToUpper(f[0]), f[1:]
	switch cmd {
	case "FINGER", "SCAN":
		return c.finger(args)
	case "LIFT":
		c.pty.Device().Lift()
		return "finger lifted", nil
	case "AUTO":
		return c.auto(args)
	case "UNPLUG":
		return "unplugged", c.pty.Unplug()
	case "PLUG":
		return c.plugged(c.pty.Plug())
	case "REPLUG":
		if err := c.pty.Unplug(); err != nil {
			return "", err
		}
		return c.plugged(c.pty.Plug())
	case "POWERON":
		return "sent 0x55", c.pty.SendPowerOn()
	case "BAUD":
		return c.baud(args)
	case "ERROR":
		return c.forceCode(args)
	case "GARBAGE", "CHECKSUM", "DROP", "SHORT", "DELAY":
		return c.fault(cmd, args)
	case "STATUS":
		return c.status(), nil
	case "HELP":
		return Help, nil
	}
	return "", fmt.Errorf("unknown command %q; try HELP", f[0])
}

// auto turns on (AUTO [POLLS], default 10 polls, about a second) or off
// (AUTO OFF) the citizen who places the default finger when asked.
func (c *Controller) auto(args []string) (string, error) {
	polls := 10
	if len(args) > 0 {
		if strings.EqualFold(args[0], "off") {
			c.pty.Device().SetAuto(0, nil)
			return "auto finger off", nil
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return "", fmt.Errorf("AUTO wants a number of polls (1 or more) or OFF, got %q", args[0])
		}
		polls = n
	}
	dev := c.pty.Device()
	// Grow the finger now (a third of a second; seconds under the race
	// detector), not inside a GenImg answer, whose deadline it would miss.
	c.mu.Lock()
	seed := c.seed
	c.mu.Unlock()
	dev.Synthetic(seed, 0)
	dev.SetAuto(polls, func() []byte {
		c.mu.Lock()
		seed, n := c.seed, c.next
		c.next++
		c.mu.Unlock()
		return dev.Synthetic(seed, n)
	})
	return fmt.Sprintf("auto finger on: placed after %d empty polls, lifted after each upload", polls), nil
}

func (c *Controller) plugged(err error) (string, error) {
	if err != nil {
		return "", err
	}
	return "plugged at " + c.pty.Path() + " -> " + c.pty.TTY(), nil
}

func (c *Controller) finger(args []string) (string, error) {
	dev := c.pty.Device()
	w, h := dev.Geometry()
	var img []byte
	var what string
	switch {
	case len(args) == 0:
		c.mu.Lock()
		seed, n := c.seed, c.next
		c.next++
		c.mu.Unlock()
		img, what = dev.Synthetic(seed, n), fmt.Sprintf("synthetic finger %d impression %d", seed, n)
	case strings.HasPrefix(strings.ToLower(args[0]), "seed:"):
		seed, n, err := parseSeed(args[0][5:])
		if err != nil {
			return "", err
		}
		img, what = dev.Synthetic(seed, n), fmt.Sprintf("synthetic finger %d impression %d", seed, n)
	default:
		var err error
		if img, err = LoadImage(args[0], w, h); err != nil {
			return "", err
		}
		what = "image from file"
	}
	defer clear(img)
	return "finger placed: " + what, dev.Place(img)
}

func parseSeed(s string) (seed uint64, n int, err error) {
	a, b, two := strings.Cut(s, ":")
	if seed, err = strconv.ParseUint(a, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("seed %q: %w", a, err)
	}
	if two {
		if n, err = strconv.Atoi(b); err != nil || n < 0 {
			return 0, 0, fmt.Errorf("impression %q: want a number >= 0", b)
		}
	}
	return seed, n, nil
}

func (c *Controller) baud(args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("usage: BAUD RATE")
	}
	rate, err := strconv.Atoi(args[0])
	if err != nil {
		return "", fmt.Errorf("baud %q: %w", args[0], err)
	}
	return fmt.Sprintf("module now at %d baud", rate), c.pty.Device().SetBaud(rate)
}

func (c *Controller) forceCode(args []string) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("usage: ERROR CODE [TIMES]")
	}
	code, err := strconv.ParseUint(args[0], 0, 8)
	if err != nil {
		return "", fmt.Errorf("code %q: %w", args[0], err)
	}
	times, err := optInt(args, 1, 1)
	if err != nil {
		return "", err
	}
	c.pty.Device().ForceCode(byte(code), times)
	return fmt.Sprintf("next %d command(s) answer 0x%02x", times, code), nil
}

var faultKinds = map[string]FaultKind{
	"GARBAGE": FaultGarbage, "CHECKSUM": FaultChecksum, "DROP": FaultDrop, "SHORT": FaultShort, "DELAY": FaultDelay,
}

func (c *Controller) fault(cmd string, args []string) (string, error) {
	f := Fault{Kind: faultKinds[cmd]}
	var err error
	switch f.Kind {
	case FaultGarbage:
		if f.N, err = optInt(args, 0, -1); err == nil && f.N < 1 {
			err = fmt.Errorf("usage: GARBAGE N [TIMES]")
		}
		if err == nil {
			f.Times, err = optInt(args, 1, 1)
		}
	case FaultDelay:
		if len(args) == 0 {
			return "", fmt.Errorf("usage: DELAY DURATION [TIMES]")
		}
		if f.Delay, err = time.ParseDuration(args[0]); err == nil {
			f.Times, err = optInt(args, 1, 1)
		}
	default:
		if f.Frame, err = optInt(args, 0, 0); err == nil {
			f.Times, err = optInt(args, 1, 1)
		}
	}
	if err != nil {
		return "", err
	}
	c.pty.Arm(f)
	return "armed: " + f.String(), nil
}

func optInt(args []string, i, def int) (int, error) {
	if len(args) <= i {
		if def < 0 {
			return 0, fmt.Errorf("missing argument %d", i+1)
		}
		return def, nil
	}
	v, err := strconv.Atoi(args[i])
	if err != nil || v < 0 {
		return 0, fmt.Errorf("argument %q: want a number >= 0", args[i])
	}
	return v, nil
}

func (c *Controller) status() string {
	dev := c.pty.Device()
	cfg := dev.Config()
	st := c.pty.Stats()
	return fmt.Sprintf("model=%s baud=%d packet=%d plugged=%v path=%s tty=%s finger=%v commands=%d bytes_out=%d mismatched_bytes=%d plugs=%d",
		cfg.Model, cfg.Baud, cfg.PacketSize, c.pty.Plugged(), c.pty.Path(), c.pty.TTY(), dev.FingerOn(),
		st.CommandsIn, st.BytesOut, st.MismatchedBytes, st.Plugs)
}

// Serve reads commands from r until EOF or ctx ends, writing each answer
// (or "error: ...") to w.
func (c *Controller) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
		close(lines)
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-errc
			}
			out, err := c.Exec(line)
			if err != nil {
				out = "error: " + err.Error()
			}
			if out != "" {
				fmt.Fprintln(w, out)
			}
		}
	}
}

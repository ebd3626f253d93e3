// Package memscan is for tests only: it looks for a secret's bytes in the
// whole memory of the test process (/proc/self/mem), to prove that a code
// path leaves no copy of a credential value behind once it is wiped.
//
// The secret is a Canary: nine random digits held only masked, so the
// test's own memory never has them in the clear except for the moment
// With hands them out. It must never be used outside tests, and a scan
// that can read nothing fails under CI (internal/testenv) instead of
// passing.
package memscan

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
)

// Len is the canary's length: nine digits, as a CIC or an identificador.
const Len = 9

// Canary is a random Len-digit secret held only masked.
type Canary struct{ mask, enc [Len]byte }

// New returns a fresh canary.
func New() *Canary {
	c := &Canary{}
	var r [2 * Len]byte
	_, _ = rand.Read(r[:])
	for i := range Len {
		c.mask[i] = r[i] | 0x80 // never maps a digit to a digit
		c.enc[i] = ('0' + r[Len+i]%10) ^ c.mask[i]
	}
	return c
}

// With hands f the canary in the clear and wipes it afterwards. f must
// copy it where the test wants it (a locked buffer, a socket).
func (c *Canary) With(f func(plain []byte)) {
	var p [Len]byte
	for i := range p {
		p[i] = c.enc[i] ^ c.mask[i]
	}
	f(p[:])
	clear(p[:])
}

// findIn reports whether buf holds the canary.
func (c *Canary) findIn(buf []byte) bool {
	first := c.enc[0] ^ c.mask[0]
	for i := 0; ; {
		j := bytes.IndexByte(buf[i:], first)
		if j < 0 || i+j+Len > len(buf) {
			return false
		}
		i += j
		k := 1
		for k < Len && buf[i+k]^c.mask[k] == c.enc[k] {
			k++
		}
		if k == Len {
			return true
		}
		i++
	}
}

// InMemory scans every readable mapping of this process for the canary
// and returns the /proc/self/maps lines of those that hold it.
func (c *Canary) InMemory(t testing.TB) []string {
	t.Helper()
	maps, err := os.ReadFile("/proc/self/maps")
	testenv.Require(t, "/proc/self/maps for the memory scan", err)
	mem, err := os.Open("/proc/self/mem")
	testenv.Require(t, "/proc/self/mem for the memory scan", err)
	defer mem.Close()
	chunk := make([]byte, 1<<20)
	var found []string
	var read int
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		lo, hi, ok := readable(sc.Text())
		if !ok {
			continue
		}
		for off := lo; off < hi; off += uint64(len(chunk)) - Len {
			n, _ := mem.ReadAt(chunk[:min(uint64(len(chunk)), hi-off)], int64(off))
			read += n
			if n > 0 && c.findIn(chunk[:n]) {
				found = append(found, sc.Text())
				break
			}
		}
	}
	clear(chunk)
	if read == 0 {
		// Opened but unreadable (ptrace rules, a sandbox): a scan of
		// nothing would pass, so it counts as a missing part.
		testenv.Require(t, "/proc/self/mem for the memory scan", errors.New("no mapping could be read"))
	}
	return found
}

// readable parses one maps line: the range of a readable mapping worth
// scanning.
func readable(line string) (lo, hi uint64, ok bool) {
	f := strings.Fields(line)
	if len(f) < 2 || f[1][0] != 'r' || strings.Contains(line, "[vvar") || strings.Contains(line, "[vsyscall]") {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(f[0], "-")
	lo, _ = strconv.ParseUint(a, 16, 64)
	hi, _ = strconv.ParseUint(b, 16, 64)
	return lo, hi, true
}

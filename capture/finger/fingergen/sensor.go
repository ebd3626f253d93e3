package fingergen

import (
	"image"
	"sync"
)

// Cached returns the finger of seed, grown once and kept among the last
// few used (growing one takes about a third of a second); a session, a
// self-test or a test suite uses a handful.
func Cached(seed uint64) *Finger {
	cache.Lock()
	defer cache.Unlock()
	if f, ok := cache.m[seed]; ok {
		return f
	}
	if cache.m == nil || len(cache.m) >= 16 {
		cache.m = map[uint64]*Finger{}
	}
	f := New(seed)
	cache.m[seed] = f
	return f
}

var cache struct {
	sync.Mutex
	m map[uint64]*Finger
}

// Sensor renders impression n of finger seed into a w×h sensor window at
// ppi (see Render), as an 8-bit image.
func Sensor(seed uint64, n, w, h int, ppi float64) *image.Gray {
	pix := Render(Cached(seed).Impression(n).Image, w, h, ppi)
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
}

// Print is impression n of finger seed in a w×h window at 500 ppi: for the
// R307/AS608/ZFM-20 window, Print(seed, n, 256, 288).
func Print(seed uint64, n, w, h int) *image.Gray { return Sensor(seed, n, w, h, PPI) }

package session

import "sync"

// subBuffer is how many events a subscriber may lag behind before it is
// cut off (its channel closed); it then re-subscribes and reads a fresh
// Snapshot, as an EventSource does by reconnecting.
const subBuffer = 64

// bus fans events out to subscribers without ever blocking the engine.
type bus struct {
	mu   sync.Mutex
	seq  uint64
	subs map[chan Event]struct{}
}

func newBus() *bus { return &bus{subs: make(map[chan Event]struct{})} }

// publish stamps ev with the next sequence number and delivers it.
func (b *bus) publish(ev Event) Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	ev.Seq = b.seq
	for ch := range b.subs {
		select {
		case ch <- ev:
		default: // too slow: cut it off rather than block a capture
			delete(b.subs, ch)
			close(ch)
		}
	}
	return ev
}

func (b *bus) subscribe() (<-chan Event, func()) {
	ch := make(chan Event, subBuffer)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}
}

func (b *bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

func (b *bus) lastSeq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

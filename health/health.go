package health

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Severity orders conditions by how much they matter.
type Severity int

const (
	// Info is shown to technicians and changes nothing else.
	Info Severity = iota
	// Warning degrades the kiosk (STATUS= says so) but it stays ready.
	Warning
	// Critical makes the kiosk not ready and stops the systemd watchdog
	// pings, so systemd restarts the daemon if the condition persists.
	Critical
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText makes severities readable in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (s *Severity) UnmarshalText(b []byte) error {
	for _, v := range []Severity{Info, Warning, Critical} {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("health: unknown severity %q", b)
}

// Code names a condition; it is stable across releases and safe in metric
// labels (for example "camera.unavailable").
type Code string

// Condition declares one thing that can be wrong.
type Condition struct {
	Code          Code
	Severity      Severity
	DependsOn     []Code        // suppressed (shown as caused by) while any of these is visible
	TimeToVisible time.Duration // stays hidden until active this long
	NotReady      bool          // while visible, readiness fails (always true for Critical)
	Message       string        // what a technician should do; no personal data
}

// State is a condition as seen now.
type State struct {
	Code     Code      `json:"code"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Detail   string    `json:"detail,omitempty"`
	Since    time.Time `json:"since"`
	NotReady bool      `json:"not_ready"`
	// CausedBy lists visible dependencies; when non-empty the condition does
	// not count on its own for readiness or the watchdog.
	CausedBy []Code `json:"caused_by,omitempty"`
}

type entry struct {
	cond   Condition
	active bool
	since  time.Time
	detail string
}

// Registry holds declared conditions. It is safe for concurrent use.
type Registry struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[Code]*entry
	order   []Code
	subs    []chan struct{}
	checks  []Check
}

// NewRegistry returns an empty registry reading time from now (time.Now when nil).
func NewRegistry(now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{now: now, entries: make(map[Code]*entry)}
}

// Declare registers c and returns its tracker. Declaring a code twice, or
// depending on an undeclared code, is a programming error and panics.
func (r *Registry) Declare(c Condition) *Tracker {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.entries[c.Code]; dup {
		panic(fmt.Sprintf("health: condition %q declared twice", c.Code))
	}
	for _, d := range c.DependsOn {
		if _, ok := r.entries[d]; !ok {
			panic(fmt.Sprintf("health: condition %q depends on undeclared %q", c.Code, d))
		}
	}
	if c.Severity == Critical {
		c.NotReady = true
	}
	r.entries[c.Code] = &entry{cond: c}
	r.order = append(r.order, c.Code)
	return &Tracker{r: r, code: c.Code}
}

// Tracker sets and clears one declared condition.
type Tracker struct {
	r    *Registry
	code Code
}

// Set marks the condition active with a detail for technicians (a device
// path, an error text; never personal data). Setting an active condition
// only updates the detail; its "since" time is kept.
func (t *Tracker) Set(detail string) {
	t.r.update(t.code, true, detail)
}

// Clear marks the condition inactive.
func (t *Tracker) Clear() { t.r.update(t.code, false, "") }

// SetErr sets the condition when err is non-nil and clears it otherwise.
func (t *Tracker) SetErr(err error) {
	if err != nil {
		t.Set(err.Error())
		return
	}
	t.Clear()
}

func (r *Registry) update(code Code, active bool, detail string) {
	r.mu.Lock()
	e := r.entries[code]
	changed := e.active != active || e.detail != detail
	if active && !e.active {
		e.since = r.now()
	}
	e.active, e.detail = active, detail
	subs := r.subs
	r.mu.Unlock()
	if changed {
		notify(subs)
	}
}

func notify(subs []chan struct{}) {
	for _, c := range subs {
		select {
		case c <- struct{}{}:
		default: // a change is already pending for this subscriber
		}
	}
}

// Subscribe returns a channel that receives a value (coalesced) after any
// condition changes. Time-to-visible expiries are not signalled; readers that
// care poll on a tick.
func (r *Registry) Subscribe() <-chan struct{} {
	c := make(chan struct{}, 1)
	r.mu.Lock()
	r.subs = append(r.subs, c)
	r.mu.Unlock()
	return c
}

// Visible returns the conditions that are active and past their
// time-to-visible, in declaration order, with their causes filled in.
func (r *Registry) Visible() []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	visible := make(map[Code]bool)
	for _, code := range r.order {
		e := r.entries[code]
		visible[code] = e.active && now.Sub(e.since) >= e.cond.TimeToVisible
	}
	var out []State
	for _, code := range r.order {
		if !visible[code] {
			continue
		}
		out = append(out, r.stateLocked(code, visible))
	}
	return out
}

func (r *Registry) stateLocked(code Code, visible map[Code]bool) State {
	e := r.entries[code]
	s := State{Code: code, Severity: e.cond.Severity, Message: e.cond.Message,
		Detail: e.detail, Since: e.since, NotReady: e.cond.NotReady}
	for _, d := range e.cond.DependsOn {
		if visible[d] {
			s.CausedBy = append(s.CausedBy, d)
		}
	}
	return s
}

// Ready reports whether no visible, uncaused condition blocks readiness, and
// lists those that do.
func (r *Registry) Ready() (bool, []State) {
	var blocking []State
	for _, s := range r.Visible() {
		if s.NotReady && len(s.CausedBy) == 0 {
			blocking = append(blocking, s)
		}
	}
	return len(blocking) == 0, blocking
}

// Critical reports the visible, uncaused critical conditions.
func (r *Registry) Critical() []State {
	var out []State
	for _, s := range r.Visible() {
		if s.Severity == Critical && len(s.CausedBy) == 0 {
			out = append(out, s)
		}
	}
	return out
}

// Declared lists every declared condition code in declaration order, for
// metrics that export one series per condition.
func (r *Registry) Declared() []Condition {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Condition, 0, len(r.order))
	for _, code := range r.order {
		out = append(out, r.entries[code].cond)
	}
	return out
}

// Summary is one line for the systemd STATUS= field: "ok", or the worst
// visible conditions first, e.g. "degraded: camera.unavailable, clock.unsynchronized".
func (r *Registry) Summary() string {
	vis := r.Visible()
	if len(vis) == 0 {
		return "ok"
	}
	sort.SliceStable(vis, func(i, j int) bool { return vis[i].Severity > vis[j].Severity })
	word := "degraded"
	if ok, _ := r.Ready(); !ok {
		word = "not ready"
	}
	line := word + ":"
	for i, s := range vis {
		if i > 0 {
			line += ","
		}
		line += " " + string(s.Code)
	}
	return line
}

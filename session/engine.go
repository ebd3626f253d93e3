package session

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
)

// Engine runs one session at a time for one kiosk. It is safe for
// concurrent use; every method returns quickly except SignConsent, which
// waits for the ledger. Long work (capture, verification) runs in
// goroutines the Engine owns and waits for on Close.
type Engine struct {
	p   Ports
	o   Opts
	log *slog.Logger
	bus *bus
	wg  sync.WaitGroup

	mu      sync.Mutex
	cur     *sess // nil when idle
	clients int   // attached kiosk screens
	closed  bool
	// lastReady is the last readiness announced (HealthChanged).
	lastReady string
}

// sess is the state of the one session in progress. Guarded by Engine.mu.
type sess struct {
	id       logging.SessionID
	reqs     []logging.RequestID // minted at claim, named by the consent; one per submission
	sent     int                 // submissions so far (reqs[sent] is the next request id)
	operator string
	state    State
	gen      uint64 // bumped on every transition; stale timers and workers compare it
	started  time.Time
	deadline time.Time
	step     *time.Timer
	life     *time.Timer
	loss     *time.Timer
	cancel   context.CancelFunc // of the running worker, if any
	work     context.Context    // the running worker's context
	busy     bool               // a synchronous step (consent) is running
	vault    *vault
	phase    atomic.Value // State, readable without Engine.mu (the vault's callback)

	notice     NoticeRef
	consent    *ConsentReceipt
	cred       *Credential
	face       *FaceResult
	finger     *FingerResult
	faceLeft   int
	fingerLeft int
	spoofed    bool       // liveness saw a presentation attack: no more face captures
	taken      []Modality // captured since the last submission (for the closing text)
	fault      bool       // a critical condition ended the session (end reason kiosk_fault)
	answer     *AnswerView
}

// New checks the ports and options and returns an idle engine.
func New(p Ports, o *Opts) (*Engine, error) {
	if o == nil {
		o = DefaultOpts()
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	e := &Engine{p: p, o: *o, log: o.Log, bus: newBus()}
	if e.o.Now == nil {
		e.o.Now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	return e, nil
}

// Run waits for ctx, then closes the engine (aborting and wiping any
// session). It is meant to be run by the daemon's goroutine owner.
func (e *Engine) Run(ctx context.Context) error {
	<-ctx.Done()
	e.Close()
	return nil
}

// Close aborts any session (reason shutdown), waits for every worker to
// return (so every lent buffer is back) and wipes everything. Further
// calls are refused with ErrClosed.
func (e *Engine) Close() {
	e.mu.Lock()
	if s := e.cur; s != nil {
		e.endLocked(s, EndShutdown)
	}
	e.closed = true
	e.mu.Unlock()
	e.wg.Wait()
	e.bus.closeAll()
}

// Subscribe returns a channel of events and a cancel func. A subscriber
// that falls subBuffer events behind has its channel closed: read a fresh
// Snapshot and subscribe again.
func (e *Engine) Subscribe() (<-chan Event, func()) { return e.bus.subscribe() }

// Publish sends an event produced outside the engine (operator.changed by
// the API layer) through the same stream.
func (e *Engine) Publish(k Kind) {
	if k != KindOperator {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.emitLocked(Event{Kind: k})
}

// Modalities lists the captures this kiosk offers now (wired, and not
// disabled by a health condition).
func (e *Engine) Modalities() []Modality {
	off := e.unavailable(e.readiness())
	var m []Modality
	if _, down := off[Face]; e.p.Face != nil && !down {
		m = append(m, Face)
	}
	if _, down := off[Finger]; e.p.Finger != nil && !down {
		m = append(m, Finger)
	}
	return m
}

// Notices returns the configured privacy notices.
func (e *Engine) Notices() []Notice { return slices.Clone(e.o.Notices) }

// HasPreview reports whether a camera preview is available.
func (e *Engine) HasPreview() bool { return e.p.Preview != nil }

// Claim opens a session for operator (a staff id token). Only one session
// runs at a time: a second claim gets ErrSessionActive.
func (e *Engine) Claim(operator string) (logging.SessionID, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.closed:
		return "", ErrClosed
	case e.cur != nil:
		return "", ErrSessionActive
	}
	if r := e.readiness(); len(r.NotReady) > 0 {
		return "", &NotReadyError{Codes: r.NotReady}
	}
	s := &sess{id: logging.NewSessionID(), reqs: e.mintRequests(), operator: operator,
		started: e.o.Now(), faceLeft: e.o.MaxFaceAttempts, fingerLeft: e.o.MaxFingerAttempts}
	s.vault = newVault(func() { e.wiped(s) })
	e.cur = s
	s.life = time.AfterFunc(e.o.Timeouts.Session, func() { e.expire(s, 0, true) })
	if e.clients == 0 {
		e.armLossLocked(s)
	}
	e.enterLocked(s, StateNotice, e.o.Timeouts.Notice)
	e.emitLocked(Event{Kind: KindClaimed})
	e.log.Info("session claimed", logging.Session(s.id))
	return s.id, nil
}

// Abort ends session id at any step and wipes everything it holds.
func (e *Engine) Abort(id logging.SessionID, why EndReason) error {
	if why != EndOperator && why != EndCitizen {
		why = EndOperator
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.sessionLocked(id)
	if err != nil {
		return err
	}
	e.endLocked(s, why)
	return nil
}

// Finish dismisses the answer and releases the kiosk.
func (e *Engine) Finish(id logging.SessionID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateAnswer)
	if err != nil {
		return err
	}
	e.endLocked(s, EndFinished)
	return nil
}

// Attach records that a kiosk screen is connected (an event stream is
// open); call the returned func when it goes away. While a session runs
// with no screen attached for Timeouts.ClientLoss, it is aborted.
func (e *Engine) Attach() (detach func()) {
	e.mu.Lock()
	e.clients++
	if s := e.cur; s != nil && s.loss != nil {
		s.loss.Stop()
		s.loss = nil
	}
	e.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.clients--
			if s := e.cur; s != nil && e.clients == 0 {
				e.armLossLocked(s)
			}
		})
	}
}

func (e *Engine) armLossLocked(s *sess) {
	s.loss = time.AfterFunc(e.o.Timeouts.ClientLoss, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.cur == s && e.clients == 0 {
			e.endLocked(s, EndClientLost)
		}
	})
}

// sessionLocked returns the current session if it is id.
func (e *Engine) sessionLocked(id logging.SessionID) (*sess, error) {
	switch s := e.cur; {
	case e.closed:
		return nil, ErrClosed
	case s == nil:
		return nil, ErrNoSession
	case s.id != id:
		return nil, ErrStaleSession
	default:
		return s, nil
	}
}

// stepLocked returns the current session if it is id, at one of states,
// and not busy.
func (e *Engine) stepLocked(id logging.SessionID, states ...State) (*sess, error) {
	s, err := e.sessionLocked(id)
	if err != nil {
		return nil, err
	}
	if s.busy {
		return nil, ErrBusy
	}
	if !slices.Contains(states, s.state) {
		return nil, ErrWrongStep
	}
	return s, nil
}

// enterLocked moves s to st with a step timeout of d.
func (e *Engine) enterLocked(s *sess, st State, d time.Duration) {
	s.state = st
	s.phase.Store(st)
	s.gen++
	if s.step != nil {
		s.step.Stop()
	}
	gen := s.gen
	s.deadline = e.o.Now().Add(d)
	s.step = time.AfterFunc(d, func() { e.expire(s, gen, false) })
}

// expire handles a step (or whole-session) timeout.
func (e *Engine) expire(s *sess, gen uint64, whole bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != s || (!whole && s.gen != gen) {
		return // stale timer
	}
	switch {
	case whole:
		e.endLocked(s, EndTimeout)
	case s.state == StateAnswer:
		e.endLocked(s, EndFinished)
	case s.state == StateFace || s.state == StateFinger:
		e.stopWorkerLocked(s) // the worker reports capture.failed/timeout
		e.captureFailedLocked(s, modalityOf(s.state), "timeout")
	case s.state == StateSubmitting:
		e.stopWorkerLocked(s) // the worker returns; its answer is UNKNOWN(timeout)
	default:
		e.endLocked(s, EndTimeout)
	}
}

func (e *Engine) stopWorkerLocked(s *sess) {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// endLocked ends s: workers cancelled, timers stopped, everything wiped,
// kiosk free.
func (e *Engine) endLocked(s *sess, why EndReason) {
	if s.fault && why == EndFinished {
		why = EndKioskFault
	}
	e.stopWorkerLocked(s)
	for _, t := range []*time.Timer{s.step, s.life, s.loss} {
		if t != nil {
			t.Stop()
		}
	}
	s.gen++
	s.phase.Store(StateIdle)
	e.bindCancelledLocked(s)
	s.cred, s.face, s.finger, s.answer, s.consent = nil, nil, nil, nil, nil
	e.cur = nil
	e.emitLockedFor(s, Event{Kind: KindEnded, State: StateIdle, Reason: why})
	s.vault.wipe()
	e.log.Info("session ended", logging.Session(s.id), "reason", string(why),
		"duration", e.o.Now().Sub(s.started).Round(time.Millisecond).String())
}

// mintRequests mints the request ids a session's consent covers: the first
// submission and Opts.MaxResends corrections (docs/protocol.md, consent
// proof rule 6).
func (e *Engine) mintRequests() []logging.RequestID {
	ids := make([]logging.RequestID, 1+e.o.MaxResends)
	for i := range ids {
		ids[i] = logging.NewRequestID()
	}
	return ids
}

// wiped is the vault's callback once every secret of s is released. It
// may run with or without Engine.mu held, so it takes no engine lock.
func (e *Engine) wiped(s *sess) {
	st, _ := s.phase.Load().(State)
	e.bus.publish(Event{Kind: KindWiped, Session: s.id, State: st, Time: e.o.Now()})
}

// emitLocked publishes ev for the current session.
func (e *Engine) emitLocked(ev Event) {
	if s := e.cur; s != nil {
		e.emitLockedFor(s, ev)
		return
	}
	ev.State, ev.Time = StateIdle, e.o.Now()
	e.bus.publish(ev)
}

func (e *Engine) emitLockedFor(s *sess, ev Event) {
	ev.Session, ev.Time = s.id, e.o.Now()
	if ev.State == "" {
		ev.State, ev.Deadline = s.state, s.deadline
	}
	e.bus.publish(ev)
}

func modalityOf(st State) Modality {
	if st == StateFace {
		return Face
	}
	return Finger
}

package sessiontest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
)

// FacePrompts is the default face script: quality feedback, then a
// two-step challenge (codes as capture/face and liveness will send them).
var FacePrompts = []session.Prompt{
	{Code: "face.none", Message: "No vemos su rostro. Mire hacia la cámara."},
	{Code: "face.too_far", Message: "Acérquese un poco a la cámara."},
	{Code: "face.ok", Message: "Muy bien. No se mueva."},
	{Code: "challenge.turn_left", Message: "Gire lentamente la cabeza hacia su izquierda.", Step: 1, Steps: 2},
	{Code: "challenge.blink", Message: "Parpadee dos veces.", Step: 2, Steps: 2},
}

// FingerPrompts is the default finger script.
var FingerPrompts = []session.Prompt{
	{Code: "finger.place", Message: "Coloque su dedo sobre el lector."},
	{Code: "finger.low_quality", Message: "Presione un poco más fuerte."},
	{Code: "finger.lift", Message: "Retire su dedo."},
}

// Face is a scripted FaceCapturer. Decisions are used in order (Live when
// the list runs out).
type Face struct {
	Alloc     *Allocator
	Prompts   []session.Prompt // FacePrompts when nil
	Pace      time.Duration    // between prompts; 0 = none
	mu        sync.Mutex
	Decisions []session.Decision
	// Err, when set, is returned by the next capture (then cleared).
	Err error
	// Hold makes captures wait for ctx after the prompts (a citizen who
	// never completes the challenge).
	Hold  bool
	calls int
}

var _ session.FaceCapturer = (*Face)(nil)

// CaptureFace plays the script and returns a synthetic JPEG.
func (f *Face) CaptureFace(ctx context.Context, prompt func(session.Prompt)) (*session.FaceResult, error) {
	if err := play(ctx, f.script(), f.Pace, prompt); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls++
	hold, err := f.Hold, f.Err
	f.Err = nil
	d := session.Live
	if len(f.Decisions) > 0 {
		d, f.Decisions = f.Decisions[0], f.Decisions[1:]
	}
	f.mu.Unlock()
	if hold {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	buf, err := f.Alloc.filled(SyntheticJPEG(96, 120, uint8(f.calls)))
	if err != nil {
		return nil, fmt.Errorf("sessiontest: face: %w", session.ErrDevice)
	}
	return &session.FaceResult{JPEG: buf, Liveness: session.Liveness{Decision: d, Method: "sessiontest",
		Cues: map[string]float64{"challenge": 1}}}, nil
}

func (f *Face) script() []session.Prompt {
	if f.Prompts != nil {
		return f.Prompts
	}
	return FacePrompts
}

// Finger is a scripted FingerCapturer returning a synthetic "WSQ" blob.
type Finger struct {
	Alloc   *Allocator
	Prompts []session.Prompt // FingerPrompts when nil
	Pace    time.Duration
	mu      sync.Mutex
	Err     error // returned by the next capture (then cleared)
	Hold    bool
}

var _ session.FingerCapturer = (*Finger)(nil)

// CaptureFinger plays the script and returns synthetic bytes.
func (f *Finger) CaptureFinger(ctx context.Context, pos int, prompt func(session.Prompt)) (*session.FingerResult, error) {
	script := f.Prompts
	if script == nil {
		script = FingerPrompts
	}
	if err := play(ctx, script, f.Pace, prompt); err != nil {
		return nil, err
	}
	f.mu.Lock()
	hold, err := f.Hold, f.Err
	f.Err = nil
	f.mu.Unlock()
	if hold {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	img := make([]byte, 2048) // a synthetic blob in place of a WSQ file
	for i := range img {
		img[i] = byte(i*7 + pos)
	}
	buf, err := f.Alloc.filled(img)
	if err != nil {
		return nil, fmt.Errorf("sessiontest: finger: %w", session.ErrDevice)
	}
	return &session.FingerResult{Position: pos, Format: "wsq", Image: buf, Quality: 80}, nil
}

func play(ctx context.Context, script []session.Prompt, pace time.Duration, prompt func(session.Prompt)) error {
	for _, p := range script {
		if err := wait(ctx, pace); err != nil {
			return err
		}
		prompt(p)
	}
	return wait(ctx, pace)
}

// Preview is a Previewer of synthetic frames every Interval.
type Preview struct {
	Interval time.Duration // 100ms when zero
}

// Preview sends synthetic frames until ctx is done.
func (p Preview) Preview(ctx context.Context, frame func([]byte) error) error {
	iv := p.Interval
	if iv <= 0 {
		iv = 100 * time.Millisecond
	}
	for i := 0; ; i++ {
		if err := frame(SyntheticJPEG(160, 120, uint8(i*8))); err != nil {
			return err
		}
		if wait(ctx, iv) != nil {
			return nil
		}
	}
}

// SetHold sets Hold while captures may be running (tests that let a held
// capture go mid-session).
func (f *Face) SetHold(on bool) {
	f.mu.Lock()
	f.Hold = on
	f.mu.Unlock()
}

// SetHold sets Hold while captures may be running.
func (f *Finger) SetHold(on bool) {
	f.mu.Lock()
	f.Hold = on
	f.mu.Unlock()
}

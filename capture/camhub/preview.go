package camhub

import (
	"context"
	"fmt"
	"time"

	"gocv.io/x/gocv"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/session"
)

// The preview is small and coarse on purpose: enough for the citizen to
// place the face in the oval, not a usable photograph.
const (
	PreviewWidth   = 320
	PreviewEvery   = 100 * time.Millisecond // at most 10 frames a second
	PreviewQuality = 60
	previewBuffer  = 64 << 10 // locked bytes to start with; grows when a frame needs more
)

// Previewer is the camera as the session's preview: scaled-down JPEG
// frames encoded into one reused buffer of locked memory that is wiped
// after every frame callback and released at the end. It shares the
// camera with the face capture (the hub opens it only while in use).
type Previewer struct {
	Hub   *Hub
	Alloc session.Allocator
}

var _ session.Previewer = (*Previewer)(nil)

// Preview implements session.Previewer.
func (p *Previewer) Preview(ctx context.Context, frame func(jpeg []byte) error) error {
	t, err := p.Hub.Acquire(PreviewWidth, PreviewEvery)
	if err != nil {
		return fmt.Errorf("preview: camera: %w: %w", session.ErrDevice, err)
	}
	defer p.Hub.Release(t)
	enc := &previewEncoder{alloc: p.Alloc}
	defer enc.release()
	for {
		fr, err := t.Next(ctx)
		switch {
		case ctx.Err() != nil:
			fr.Release()
			return nil
		case err != nil:
			return fmt.Errorf("preview: camera: %w: %w", session.ErrDevice, err)
		}
		jpeg, err := enc.encode(fr)
		if err != nil {
			return err
		}
		err = frame(jpeg)
		clear(jpeg)
		if err != nil {
			return err
		}
	}
}

// previewEncoder JPEG-encodes frames into one locked buffer.
type previewEncoder struct {
	alloc session.Allocator
	buf   session.Secret
}

// encode encodes fr and releases (wipes) it. The result is valid until the
// next call; OpenCV's own output buffer is zeroed before it is freed.
func (e *previewEncoder) encode(fr *camera.Frame) ([]byte, error) {
	defer fr.Release()
	nb, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, fr.Mat, []int{gocv.IMWriteJpegQuality, PreviewQuality})
	if err != nil {
		return nil, fmt.Errorf("preview: encode: %w", err)
	}
	defer nb.Close()
	native := nb.GetBytes()
	defer clear(native)
	if e.buf == nil || len(e.buf.Bytes()) < len(native) {
		e.release()
		if e.buf, err = e.alloc.Alloc(max(previewBuffer, len(native))); err != nil {
			return nil, fmt.Errorf("preview: locked memory: %w", err)
		}
	}
	return e.buf.Bytes()[:copy(e.buf.Bytes(), native)], nil
}

func (e *previewEncoder) release() {
	if e.buf != nil {
		e.buf.Release()
		e.buf = nil
	}
}

package fingerprint

import (
	"context"
	"errors"
	"fmt"
)

// setupLocked reads the module's parameters on a verified line, applies the
// configured packet size, detects the R503 extras and marks the scanner ready.
func (s *R30x) setupLocked(ctx context.Context, l *link) error {
	sp, err := s.readSysPara(ctx, l)
	if err == nil && s.opts.PacketSize != 0 && sp.PacketSize != s.opts.PacketSize {
		sp, err = s.setPacketSize(ctx, l, s.opts.PacketSize)
	}
	if err != nil {
		_ = l.port.Close()
		return s.connectFailedLocked(err)
	}
	info := Info{
		Model: "R30x", Width: DefaultWidth, Height: DefaultHeight, DPI: DefaultDPI,
		Baud: l.baud, PacketSize: sp.PacketSize, Address: sp.Address, LibrarySize: int(sp.LibrarySize),
	}
	if err := s.probeExtras(ctx, l, &info); err != nil {
		_ = l.port.Close()
		return s.connectFailedLocked(err)
	}
	s.link, s.info = l, info
	s.setStateLocked(StateReady, nil)
	return nil
}

func (s *R30x) readSysPara(ctx context.Context, l *link) (SysPara, error) {
	b, err := l.command(ctx, cmdReadSysPara, s.opts.CommandTimeout, s.opts.Retries)
	if err != nil {
		return SysPara{}, err
	}
	return decodeSysPara(b)
}

// setPacketSize writes the packet size and reads it back. Some modules only
// apply SetSysPara after a power cycle: then the old size stays in effect,
// which the upload handles (it accepts any packet length), and a warning
// says so.
func (s *R30x) setPacketSize(ctx context.Context, l *link, size int) (SysPara, error) {
	code, _ := PacketSizeCode(size)
	if _, err := l.command(ctx, cmdSetSysPara, s.opts.CommandTimeout, 0, ParamPacketSize, code); err != nil {
		return SysPara{}, err
	}
	sp, err := s.readSysPara(ctx, l)
	if err == nil && sp.PacketSize != size {
		s.opts.Logger.Warn("scanner keeps its old packet size until power-cycled", "want", size, "have", sp.PacketSize)
	}
	return sp, err
}

// probeExtras asks for ReadProdInfo. Modules without it (R307, AS608)
// answer with an error code or stay silent; both mean "no extras" and keep
// the 256x288 geometry. Only a vanished line is an error.
func (s *R30x) probeExtras(ctx context.Context, l *link, info *Info) error {
	b, err := l.command(ctx, cmdReadProdInfo, s.opts.CommandTimeout/2, 0)
	if err == nil {
		var pi ProdInfo
		if pi, err = decodeProdInfo(b); err == nil {
			info.Model, info.SensorModel, info.Serial = pi.Model, pi.SensorModel, pi.Serial
			info.HWVersion = fmt.Sprintf("%d.%d", pi.HWVersion[0], pi.HWVersion[1])
			info.Width, info.Height, info.Extras = pi.Width, pi.Height, true
			if info.Model == "R503" {
				info.DPI = 508
			}
			return nil
		}
	}
	if errors.Is(err, ErrUnavailable) || isCtxErr(err) {
		return err
	}
	s.opts.Logger.Debug("scanner has no ReadProdInfo; assuming R30x geometry", "err", err)
	return nil
}

// Handshake implements Scanner.
func (s *R30x) Handshake(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handshakeLocked(ctx)
}

func (s *R30x) handshakeLocked(ctx context.Context) error {
	if err := s.ensureLocked(ctx); err != nil {
		return err
	}
	_, err := s.link.command(ctx, cmdVfyPwd, s.opts.CommandTimeout, s.opts.Retries, be32(s.opts.Password)...)
	if err != nil {
		return s.failLocked(fmt.Errorf("fingerprint: handshake: %w", err))
	}
	return nil
}

// Info implements Scanner.
func (s *R30x) Info(ctx context.Context) (Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureLocked(ctx); err != nil {
		return Info{}, err
	}
	return s.info, nil
}

// SetBaud changes the module's line rate (persisted in its flash) and
// reconnects at the new rate. The module answers at the old rate and then
// switches; modules that apply it only after a power cycle keep answering
// at the old rate, and SetBaud reports that. SetSysPara is never repeated
// blindly: after an error, read the state with Info.
func (s *R30x) SetBaud(ctx context.Context, baud int) error {
	code, err := BaudCode(baud)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureLocked(ctx); err != nil {
		return err
	}
	if _, err := s.link.command(ctx, cmdSetSysPara, s.opts.CommandTimeout, 0, ParamBaud, code); err != nil {
		return s.failLocked(fmt.Errorf("fingerprint: set baud %d: %w", baud, err))
	}
	old := s.link.baud
	s.disconnectLocked()
	s.opts.Baud = baud
	if err := s.connectLocked(ctx); err != nil {
		return err
	}
	if s.link.baud != baud {
		return fmt.Errorf("fingerprint: set baud %d: module still answers at %d; power-cycle it to apply", baud, old)
	}
	return nil
}

package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/journal"
)

type citizenName string

func (citizenName) PersonalData() {}

func TestRedaction(t *testing.T) {
	var buf bytes.Buffer
	lv := new(slog.LevelVar)
	log := slog.New(New(Options{Format: "logfmt", Level: lv, Stderr: &buf}))
	log.Info("captured", "who", citizenName("JUAN PEREZ"), "jpeg", []byte{0xff, 0xd8, 0xff, 0xe0},
		Session("s_abc"))
	out := buf.String()
	if strings.Contains(out, "JUAN") || strings.Contains(out, "\xff") {
		t.Fatalf("personal data leaked: %q", out)
	}
	for _, want := range []string{"who=[redacted]", "jpeg=\"[4 bytes]\"", "session=s_abc"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
}

func TestLevelChangesAtRunTime(t *testing.T) {
	var buf bytes.Buffer
	lv := new(slog.LevelVar)
	log := slog.New(New(Options{Format: "json", Level: lv, Stderr: &buf}))
	log.Debug("hidden")
	lv.Set(slog.LevelDebug)
	log.Debug("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "shown") {
		t.Fatalf("output %q", buf.String())
	}
}

func TestJournalHandlerFields(t *testing.T) {
	type sent struct {
		msg  string
		pri  journal.Priority
		vars map[string]string
	}
	var got []sent
	h := newJournalHandler(slog.LevelInfo)
	h.send = func(msg string, pri journal.Priority, vars map[string]string) error {
		got = append(got, sent{msg, pri, vars})
		return nil
	}
	log := slog.New(h).With("device", "/dev/video0").WithGroup("scan")
	log.Warn("unplugged", "retry-in", "2s", "who", citizenName("X"))
	log.Debug("dropped")
	if len(got) != 1 {
		t.Fatalf("got %d records", len(got))
	}
	g := got[0]
	if g.msg != "unplugged" || g.pri != journal.PriWarning {
		t.Errorf("msg %q pri %d", g.msg, g.pri)
	}
	want := map[string]string{"DEVICE": "/dev/video0", "SCAN_RETRY_IN": "2s", "SCAN_WHO": "[redacted]"}
	for k, v := range want {
		if g.vars[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, g.vars[k], v, g.vars)
		}
	}
}

func TestJournalKey(t *testing.T) {
	for in, want := range map[string]string{"a.b": "A_B", "_x": "X", "9lives": "LIVES", "ok_1": "OK_1"} {
		if got := journalKey([]string{in}); got != want {
			t.Errorf("journalKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIDsAreDistinct(t *testing.T) {
	a, b := NewSessionID(), NewSessionID()
	if a == b || !strings.HasPrefix(string(a), "s_") || len(a) != 18 {
		t.Fatalf("ids %q %q", a, b)
	}
	if r := NewRequestID(); !strings.HasPrefix(string(r), "r_") {
		t.Fatalf("request id %q", r)
	}
}

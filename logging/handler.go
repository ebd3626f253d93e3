package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/coreos/go-systemd/v22/journal"
)

// Options choose the output.
type Options struct {
	// Format is "auto" (journal when stderr is the journal stream, else
	// logfmt), "journal", "logfmt" or "json".
	Format string
	// Level is shared with whoever may change it at run time.
	Level *slog.LevelVar
	// Stderr is where logfmt/json go (os.Stderr in production).
	Stderr io.Writer
}

// New returns the handler described by o, wrapped in the redaction guard.
func New(o Options) slog.Handler {
	hopts := &slog.HandlerOptions{Level: o.Level, ReplaceAttr: redactAttr}
	var h slog.Handler
	switch resolveFormat(o.Format) {
	case "journal":
		h = newJournalHandler(o.Level)
	case "json":
		h = slog.NewJSONHandler(o.Stderr, hopts)
	default:
		h = slog.NewTextHandler(o.Stderr, hopts)
	}
	return h
}

func resolveFormat(f string) string {
	if f != "auto" && f != "" {
		return f
	}
	if ok, _ := journal.StderrIsJournalStream(); ok && journal.Enabled() {
		return "journal"
	}
	return "logfmt"
}

// redactAttr is the last line of defence against personal data in logs.
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	a.Value = redactValue(a.Value)
	return a
}

func redactValue(v slog.Value) slog.Value {
	if v.Kind() != slog.KindAny {
		return v
	}
	switch x := v.Any().(type) {
	case Sensitive:
		return slog.StringValue("[redacted]")
	case []byte:
		return slog.StringValue(fmt.Sprintf("[%d bytes]", len(x)))
	}
	return v
}

// journalHandler sends each record to journald with its attributes as
// structured fields (upper-cased, prefixed groups joined by '_').
type journalHandler struct {
	level  slog.Leveler
	attrs  []slog.Attr
	groups []string
	send   func(msg string, pri journal.Priority, vars map[string]string) error
}

func newJournalHandler(level slog.Leveler) *journalHandler {
	return &journalHandler{level: level, send: journal.Send}
}

func (h *journalHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *journalHandler) Handle(_ context.Context, r slog.Record) error {
	vars := make(map[string]string, r.NumAttrs()+len(h.attrs))
	for _, a := range h.attrs {
		addJournalVar(vars, nil, a)
	}
	r.Attrs(func(a slog.Attr) bool {
		addJournalVar(vars, h.groups, a)
		return true
	})
	return h.send(r.Message, priority(r.Level), vars)
}

func (h *journalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	for _, a := range as {
		if len(h.groups) > 0 {
			a.Key = strings.Join(h.groups, "_") + "_" + a.Key
		}
		c.attrs = append(append([]slog.Attr(nil), h.attrs...), a)
	}
	return &c
}

func (h *journalHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.groups = append(append([]string(nil), h.groups...), name)
	return &c
}

func addJournalVar(vars map[string]string, groups []string, a slog.Attr) {
	a.Value = redactValue(a.Value.Resolve())
	if a.Value.Kind() == slog.KindGroup {
		for _, sub := range a.Value.Group() {
			addJournalVar(vars, append(groups, a.Key), sub)
		}
		return
	}
	key := journalKey(append(groups, a.Key))
	if key != "" {
		vars[key] = a.Value.String()
	}
}

// journalKey makes a valid journal field name: upper-case letters, digits
// and '_', not starting with '_' or a digit.
func journalKey(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('_')
		}
		for _, r := range strings.ToUpper(p) {
			if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	k := strings.TrimLeft(b.String(), "_0123456789")
	if len(k) > 64 {
		k = k[:64]
	}
	return k
}

func priority(l slog.Level) journal.Priority {
	switch {
	case l >= slog.LevelError:
		return journal.PriErr
	case l >= slog.LevelWarn:
		return journal.PriWarning
	case l >= slog.LevelInfo:
		return journal.PriInfo
	}
	return journal.PriDebug
}

package web

import (
	"embed"
	"io/fs"

	"github.com/ventanilla-mx/ventanilla/session"
)

//go:embed ui
var ui embed.FS

//go:embed notices/*.txt
var notices embed.FS

// UI returns the kiosk UI: index.html at the root, assets under static/.
func UI() fs.FS {
	sub, err := fs.Sub(ui, "ui")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Notice identity. A change to a text is a new Version: consents record
// the version and the SHA-256 of the exact text shown.
const (
	NoticeID      = "aviso-integral-verificacion"
	NoticeVersion = "2026-01"
)

// Notices returns the embedded privacy notice, Spanish (the legal text)
// first, then the English courtesy translation.
func Notices() []session.Notice {
	return []session.Notice{
		{ID: NoticeID, Version: NoticeVersion, Lang: "es-MX", Title: "Aviso de privacidad integral",
			Text: mustRead("notices/aviso-es-MX.txt")},
		{ID: NoticeID, Version: NoticeVersion, Lang: "en", Title: "Privacy notice",
			Text: mustRead("notices/aviso-en.txt")},
	}
}

func mustRead(name string) string {
	b, err := notices.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

package inesim

import (
	"io"
	"log"
)

// discardLog silences net/http's server log: TLS handshake errors name
// remote addresses only, but nothing the service receives may reach a log.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

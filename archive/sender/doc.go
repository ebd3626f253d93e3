// Package sender is the kiosk's background push of its consent log to the
// municipality's archive (issue 14). It keeps a durable cursor (the number
// of leaves the archive has acknowledged) in a file, so a kiosk serves
// citizens while the archive is down for days and then catches up, batch by
// batch, without a gap or a duplicate (the archive is idempotent on
// (kiosk, index) anyway).
//
// It must never block a session: it only reads the ledger. It never logs a
// record's contents; its status carries counts and times only.
package sender

package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Entry is one leaf of a kiosk's log.
type Entry struct {
	Index  int64
	Record []byte // canonical record bytes
}

// Push is what a kiosk sends: consecutive leaves (may start before what the
// archive holds: those must be identical), bindings, and a signed
// checkpoint no larger than the leaves pushed plus those held. A batch
// that does not reach the kiosk's checkpoint carries none (Checkpoint nil):
// its leaves are verified and kept, and the tree is checked at the next
// checkpoint.
type Push struct {
	KioskID    string
	Entries    []Entry
	Bindings   [][]byte
	Checkpoint []byte
}

// Ack is the archive's answer: how many leaves it holds for the kiosk and
// the pushed checkpoint with the archive's countersignature appended.
type Ack struct {
	Size     int64
	Cosigned []byte
}

// PushPath is the push endpoint.
const PushPath = "/v1/push"

// MaxPushBytes bounds one push body; the sender batches below it.
const MaxPushBytes = 64 << 20

// wirePush is the JSON body of a push ([]byte as base64).
type wirePush struct {
	Kiosk      string      `json:"kiosk"`
	Entries    []wireEntry `json:"entries"`
	Bindings   [][]byte    `json:"bindings,omitempty"`
	Checkpoint []byte      `json:"checkpoint"`
}

type wireEntry struct {
	Index  int64  `json:"index"`
	Record []byte `json:"record"`
}

type WireAck struct {
	Size     int64  `json:"size"`
	Cosigned []byte `json:"cosigned,omitempty"`
	Error    string `json:"error,omitempty"`
	Code     string `json:"code,omitempty"` // gap, fork, rejected, unknown-kiosk
}

// DecodePush decodes a push body (outside bytes; unknown fields refused).
func DecodePush(r io.Reader) (*Push, error) {
	dec := json.NewDecoder(io.LimitReader(r, MaxPushBytes))
	dec.DisallowUnknownFields()
	var w wirePush
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("archive: push body: %w", err)
	}
	if dec.More() {
		return nil, errors.New("archive: push body: data after the object")
	}
	p := &Push{KioskID: w.Kiosk, Bindings: w.Bindings, Checkpoint: w.Checkpoint}
	for _, e := range w.Entries {
		p.Entries = append(p.Entries, Entry(e))
	}
	return p, nil
}

// EncodePush is the sender's side of DecodePush.
func EncodePush(p *Push) ([]byte, error) {
	w := wirePush{Kiosk: p.KioskID, Bindings: p.Bindings, Checkpoint: p.Checkpoint}
	for _, e := range p.Entries {
		w.Entries = append(w.Entries, wireEntry(e))
	}
	return json.Marshal(&w)
}

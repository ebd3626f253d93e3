package face

// Code is a quality-gate outcome the kiosk UI renders. Codes are stable
// identifiers; Message gives the es-MX text.
type Code string

// Feedback codes, in the order the gate checks them: the first failing
// check is what the citizen is asked to fix.
const (
	OK          Code = "face.ok"
	NoFace      Code = "face.none"
	ManyFaces   Code = "face.many"
	TooFar      Code = "face.too_far"
	TooClose    Code = "face.too_close"
	OffCentre   Code = "face.off_center"
	NotFrontal  Code = "face.pose"
	TooDark     Code = "face.too_dark"
	TooBright   Code = "face.too_bright"
	LowContrast Code = "face.low_contrast"
	Blurry      Code = "face.blurry"
	EyesClosed  Code = "face.eyes_closed"
)

var messages = map[Code]string{
	OK:          "Muy bien. No se mueva.",
	NoFace:      "No vemos su rostro. Mire hacia la cámara.",
	ManyFaces:   "Solo debe aparecer una persona frente a la cámara.",
	TooFar:      "Acérquese un poco a la cámara.",
	TooClose:    "Aléjese un poco de la cámara.",
	OffCentre:   "Coloque su rostro dentro del óvalo.",
	NotFrontal:  "Mire de frente a la cámara, sin girar ni inclinar la cabeza.",
	TooDark:     "Hay poca luz sobre su rostro.",
	TooBright:   "Hay demasiada luz o un reflejo sobre su rostro.",
	LowContrast: "La imagen tiene poco contraste. Evite tener una luz fuerte detrás.",
	Blurry:      "Permanezca quieto un momento.",
	EyesClosed:  "Mantenga los ojos abiertos y mire a la cámara.",
}

// Message is the es-MX text for the code ("" for unknown codes).
func (c Code) Message() string { return messages[c] }

// Codes lists every feedback code, for the UI's translation table.
func Codes() []Code {
	return []Code{OK, NoFace, ManyFaces, TooFar, TooClose, OffCentre, NotFrontal, TooDark, TooBright, LowContrast, Blurry, EyesClosed}
}

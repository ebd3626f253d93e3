package liveness

// Prompt is what the kiosk UI shows during the check: a stable code and its
// es-MX text.
type Prompt struct {
	Code    string
	Message string
}

// Prompt codes besides one per challenge ("liveness.turn_left", ...).
const (
	PromptLook = "liveness.look"
	PromptDone = "liveness.done"
)

var promptText = map[string]string{
	PromptLook:                       "Mire a la cámara.",
	PromptDone:                       "Gracias. Estamos verificando.",
	"liveness." + string(TurnLeft):   "Gire lentamente la cabeza hacia su izquierda.",
	"liveness." + string(TurnRight):  "Gire lentamente la cabeza hacia su derecha.",
	"liveness." + string(Blink):      "Parpadee una vez.",
	"liveness." + string(Smile):      "Sonría, por favor.",
	"liveness." + string(MoveCloser): "Acérquese lentamente a la cámara.",
}

func prompt(code string) Prompt { return Prompt{Code: code, Message: promptText[code]} }

// PromptFor is the prompt of a challenge.
func PromptFor(c Challenge) Prompt { return prompt("liveness." + string(c)) }

// Prompts lists every prompt, for the UI's translation table.
func Prompts() []Prompt {
	out := []Prompt{prompt(PromptLook), prompt(PromptDone)}
	for _, c := range DefaultOpts().Challenges {
		out = append(out, PromptFor(c))
	}
	return out
}

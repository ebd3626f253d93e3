package finger

// Feedback is what the kiosk tells the citizen after a capture. The code is
// stable (the UI and metrics use it); Message is the Spanish (es-MX) text the
// kiosk shows, MessageEN the English text for technicians.
type Feedback string

const (
	FeedbackOK          Feedback = "ok"
	FeedbackNoFinger    Feedback = "no_finger"
	FeedbackPressHarder Feedback = "press_harder"
	FeedbackCentre      Feedback = "centre_finger"
	FeedbackTooDry      Feedback = "too_dry"
	FeedbackTooWet      Feedback = "too_wet"
	FeedbackHoldStill   Feedback = "hold_still"
	FeedbackReposition  Feedback = "reposition"
)

type messages struct{ es, en string }

var feedbackText = map[Feedback]messages{
	FeedbackOK: {
		"Huella capturada. Puede retirar el dedo.",
		"Fingerprint captured. The finger may be removed.",
	},
	FeedbackNoFinger: {
		"Coloque el dedo sobre el lector.",
		"Place the finger on the scanner.",
	},
	FeedbackPressHarder: {
		"Presione un poco más fuerte.",
		"Press a little harder.",
	},
	FeedbackCentre: {
		"Centre el dedo en el lector.",
		"Centre the finger on the scanner.",
	},
	FeedbackTooDry: {
		"Dedo demasiado seco. Frote la yema del dedo con la palma de la mano y vuelva a colocarlo.",
		"Finger too dry. Rub the fingertip on the palm and place it again.",
	},
	FeedbackTooWet: {
		"Dedo demasiado húmedo. Séquelo y vuelva a colocarlo sin presionar de más.",
		"Finger too wet. Dry it and place it again without pressing too hard.",
	},
	FeedbackHoldStill: {
		"No mueva el dedo hasta que termine la captura.",
		"Keep the finger still until the capture ends.",
	},
	FeedbackReposition: {
		"Retire el dedo y vuelva a colocarlo con la yema plana sobre el lector.",
		"Lift the finger and place it again, flat on the scanner.",
	},
}

// Message is the Spanish (es-MX) text for the kiosk.
func (f Feedback) Message() string {
	if m, ok := feedbackText[f]; ok {
		return m.es
	}
	return feedbackText[FeedbackReposition].es
}

// MessageEN is the English text for technicians.
func (f Feedback) MessageEN() string {
	if m, ok := feedbackText[f]; ok {
		return m.en
	}
	return feedbackText[FeedbackReposition].en
}

// AllFeedback lists every code, for UIs that preload their texts and for
// metrics that declare their label values.
func AllFeedback() []Feedback {
	return []Feedback{
		FeedbackOK, FeedbackNoFinger, FeedbackPressHarder, FeedbackCentre,
		FeedbackTooDry, FeedbackTooWet, FeedbackHoldStill, FeedbackReposition,
	}
}

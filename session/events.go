package session

import (
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
)

// State is where a session is in the data flow. The vocabulary is closed.
type State string

// States, in data-flow order.
const (
	StateIdle       State = "idle"       // no session: the kiosk is free
	StateNotice     State = "notice"     // claimed; the privacy notice is shown
	StateSignature  State = "signature"  // notice accepted; waiting for the signature
	StateCredential State = "credential" // consent committed; credential data next
	StateBiometrics State = "biometrics" // credential accepted; choose face and/or finger
	StateFace       State = "face"       // face capture running
	StateFinger     State = "finger"     // finger capture running
	StateSubmitting State = "submitting" // request handed to the verifier
	StateAnswer     State = "answer"     // answer shown; buffers already wiped
)

// States lists the vocabulary.
func States() []State {
	return []State{StateIdle, StateNotice, StateSignature, StateCredential, StateBiometrics,
		StateFace, StateFinger, StateSubmitting, StateAnswer}
}

// Kind names an event. The vocabulary is closed: a UI or a metric may rely
// on exactly these.
type Kind string

// Event kinds.
const (
	KindClaimed            Kind = "session.claimed"
	KindNoticeAccepted     Kind = "notice.accepted"
	KindConsentCommitted   Kind = "consent.committed"
	KindConsentFailed      Kind = "consent.failed"
	KindCredentialAccepted Kind = "credential.accepted"
	KindCaptureStarted     Kind = "capture.started"
	KindCapturePrompt      Kind = "capture.prompt"
	KindCaptureDone        Kind = "capture.done"
	KindCaptureRejected    Kind = "capture.rejected" // liveness said spoof or uncertain
	KindCaptureFailed      Kind = "capture.failed"   // quality, device, timeout
	KindSubmitStarted      Kind = "submit.started"
	KindAnswer             Kind = "answer.ready"
	KindWiped              Kind = "session.wiped"
	KindEnded              Kind = "session.ended"
	KindOperator           Kind = "operator.changed"  // published by the API layer
	KindReadiness          Kind = "kiosk.readiness"   // health changed what the kiosk offers
	KindCorrecting         Kind = "answer.correcting" // back to the credential step to correct and resend
)

// Kinds lists the vocabulary.
func Kinds() []Kind {
	return []Kind{KindClaimed, KindNoticeAccepted, KindConsentCommitted, KindConsentFailed,
		KindCredentialAccepted, KindCaptureStarted, KindCapturePrompt, KindCaptureDone,
		KindCaptureRejected, KindCaptureFailed, KindSubmitStarted, KindAnswer, KindWiped,
		KindEnded, KindOperator, KindReadiness, KindCorrecting}
}

// EndReason says why a session ended. The vocabulary is closed and safe in
// logs and metric labels.
type EndReason string

// End reasons.
const (
	EndFinished   EndReason = "finished"    // the answer was shown and dismissed
	EndOperator   EndReason = "operator"    // the clerk aborted
	EndCitizen    EndReason = "citizen"     // the citizen declined or cancelled
	EndTimeout    EndReason = "timeout"     // a step timed out
	EndClientLost EndReason = "client_lost" // the kiosk screen went away
	EndShutdown   EndReason = "shutdown"    // the daemon is stopping
	// EndKioskFault: a critical health condition stopped the session (its
	// "retry" answer was shown); a fault of the kiosk, not of the citizen.
	EndKioskFault EndReason = "kiosk_fault"
)

// EndReasons lists the vocabulary.
func EndReasons() []EndReason {
	return []EndReason{EndFinished, EndOperator, EndCitizen, EndTimeout, EndClientLost, EndShutdown, EndKioskFault}
}

// Modality is a biometric kind.
type Modality string

// Modalities.
const (
	Face   Modality = "face"
	Finger Modality = "finger"
)

// Event is one thing that happened, for the kiosk screen and for metrics.
// Only an answer.ready event carries personal data (the answer), for the
// screen only; every other field is safe to log.
type Event struct {
	Seq      uint64            `json:"seq"`
	Kind     Kind              `json:"kind"`
	Session  logging.SessionID `json:"session,omitempty"`
	State    State             `json:"state"`
	Time     time.Time         `json:"time"`
	Deadline time.Time         `json:"deadline,omitzero"` // when the current step times out
	Modality Modality          `json:"modality,omitempty"`
	Prompt   *Prompt           `json:"prompt,omitempty"`
	Code     string            `json:"code,omitempty"` // capture.rejected/failed, consent.failed: why
	Reason   EndReason         `json:"reason,omitempty"`
	Answer   *AnswerView       `json:"answer,omitempty"`
	Consent  string            `json:"consent,omitempty"` // consent record id
}

// Outcome is what the screen tells the citizen.
type Outcome string

// Outcomes. OutcomeRetry is never a denial: no trustworthy answer came.
const (
	OutcomeApproved           Outcome = "approved"
	OutcomeIdentificationOnly Outcome = "identification_only"
	OutcomeNotCurrent         Outcome = "not_current" // invite to an INE module
	OutcomeDenied             Outcome = "denied"      // about the data typed: not found, data mismatch
	OutcomeRetry              Outcome = "retry"
	// OutcomeNoMatch: the biometric comparison did not pass. It carries no
	// credential status: the status belongs to the card's holder, who was
	// not shown to be the person at the counter.
	OutcomeNoMatch Outcome = "no_match"
)

// AnswerView is the answer as shown. Personal data: never logged.
type AnswerView struct {
	Outcome          Outcome `json:"outcome"`
	Status           Status  `json:"status"`
	Reason           string  `json:"reason,omitempty"`
	FaceSimilarity   int     `json:"face_similarity"`
	FingerSimilarity int     `json:"finger_similarity"`
	FingerPosition   int     `json:"finger_position,omitempty"`
	// BiometricMatch is false when INE found the data valid but a
	// similarity is below Opts.MinSimilarity.
	BiometricMatch bool `json:"biometric_match"`
	// Taken lists what was captured for this answer (and is now wiped),
	// so the closing text names only that.
	Taken []Modality `json:"taken"`
	// Correctable: INE found no credential with the data typed, or the
	// data do not match, and the session may still correct them and send
	// again (Engine.Correct) under the same consent.
	Correctable bool `json:"correctable,omitempty"`
}

// String is redacted: an answer must not reach a log.
func (AnswerView) String() string { return "answer(redacted)" }

// PersonalData marks AnswerView for the logging redactor.
func (AnswerView) PersonalData() {}

var knownStatus = map[Status]bool{
	StatusValid: true, StatusValidIdentificationOnly: true, StatusNotCurrent: true,
	StatusLostOrStolen: true, StatusNotFound: true, StatusDataMismatch: true,
	StatusSuspendedRights: true,
}

// view turns a verifier answer into what the screen shows. Anything not in
// INE's vocabulary is a retry, never a denial.
func view(a Answer, minSimilarity int) *AnswerView {
	v := &AnswerView{Status: a.Status, FaceSimilarity: clampSim(a.FaceSimilarity),
		FingerSimilarity: clampSim(a.FingerSimilarity), FingerPosition: a.FingerPosition}
	if !knownStatus[a.Status] {
		v.Status, v.Outcome, v.Reason = StatusUnknown, OutcomeRetry, safeReason(a.Reason, a.Status)
		v.FaceSimilarity, v.FingerSimilarity, v.FingerPosition = -1, -1, 0
		return v
	}
	compared := v.FaceSimilarity >= 0 || v.FingerSimilarity >= 0
	v.BiometricMatch = compared && (v.FaceSimilarity < 0 || v.FaceSimilarity >= minSimilarity) &&
		(v.FingerSimilarity < 0 || v.FingerSimilarity >= minSimilarity)
	switch {
	case a.Status == StatusNotFound || a.Status == StatusDataMismatch:
		// About the data typed, not about a holder: safe to tell.
		v.Outcome = OutcomeDenied
	case !compared:
		// A status with no comparison is not known to be this person's.
		return &AnswerView{Outcome: OutcomeRetry, Status: StatusUnknown, Reason: "no-similarity",
			FaceSimilarity: -1, FingerSimilarity: -1}
	case !v.BiometricMatch:
		// Never the status: someone holding another person's card must
		// not learn it. Only the similarity, for the clerk.
		v.Outcome, v.Status, v.Reason = OutcomeNoMatch, StatusUnknown, "no-match"
	default:
		v.Outcome = statusOutcome(a.Status)
	}
	return v
}

// statusOutcome is the screen for a status whose holder's biometric
// comparison passed.
func statusOutcome(st Status) Outcome {
	switch st {
	case StatusValid:
		return OutcomeApproved
	case StatusValidIdentificationOnly:
		return OutcomeIdentificationOnly
	case StatusNotCurrent:
		return OutcomeNotCurrent
	}
	return OutcomeDenied
}

func clampSim(s int) int {
	if s < 0 || s > 100 {
		return -1
	}
	return s
}

// safeReason keeps only a short code-shaped reason.
func safeReason(r string, st Status) string {
	if st != StatusUnknown && st != "" {
		return "bad-status"
	}
	if !codePattern.MatchString(r) {
		return "unknown"
	}
	return r
}

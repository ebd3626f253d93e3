package session_test

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// TestCancelledCaptureReturnsUnderTheSameConsent is issue 13, finding 4:
// "Cancelar" during a capture ended the whole session (the page aborted
// it; the engine had no other way out). Now a cancelled capture returns
// to the biometrics step under the same consent, costs one of a bounded
// number of attempts, and the capturer's late result is wiped.
func TestCancelledCaptureReturnsUnderTheSameConsent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, func(o *session.Opts, _ *session.Ports) { o.MaxFingerAttempts = 2 })
		id := f.toStep(session.StateBiometrics)
		consent := f.e.Snapshot().Consent
		isErr(t, f.e.CancelCapture(id), session.ErrNotCapturing)

		f.finger.Hold = true
		f.must(f.e.StartFinger(id, 2))
		f.wantState(session.StateFinger)
		f.must(f.e.CancelCapture(id))
		f.wantState(session.StateBiometrics)
		if ev, _ := f.last(session.KindCaptureFailed); ev.Code != "cancelled" || ev.Modality != session.Finger {
			t.Fatalf("capture.failed = %+v", ev)
		}
		snap := f.e.Snapshot()
		if snap.Consent != consent || !snap.CredentialSet || snap.FingerAttemptsLeft != 1 {
			t.Fatalf("after cancel: %+v", snap)
		}
		f.finger.Hold = false
		f.must(f.e.StartFinger(id, 2)) // the same capture again
		f.wantState(session.StateBiometrics)
		if f.e.Snapshot().FingerCaptured != 2 {
			t.Fatal("the retried capture did not complete")
		}
		isErr(t, f.e.StartFinger(id, 2), session.ErrFingerRefused)
		if n := len(f.consent.Records()); n != 1 {
			t.Fatalf("%d consent records, want 1 (no new signature)", n)
		}
		f.must(f.e.Abort(id, session.EndCitizen))
		f.wantWiped()
	})
}

// TestCaptureTimeoutSaysTimeout is issue 13, finding 6: a capturer that
// saw no finger in time reported a quality failure ("no se logró una
// imagen con la calidad necesaria"); ErrCaptureTimeout is a timeout.
func TestCaptureTimeoutSaysTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.toStep(session.StateBiometrics)
		f.finger.Err = fmt.Errorf("finger: %w", session.ErrCaptureTimeout)
		f.must(f.e.StartFinger(id, 2))
		f.wantState(session.StateBiometrics)
		if ev, _ := f.last(session.KindCaptureFailed); ev.Code != "timeout" {
			t.Fatalf("capture.failed code %q, want timeout", ev.Code)
		}
	})
}

// TestCorrectAndResend is issue 13, finding 4: after "data mismatch" the
// clerk corrects the data and the session sends again, under the same
// consent, with the consent's next request id (never the first one again:
// INE refuses a request id reused with other bytes); the biometrics of
// the first submission were wiped with its answer and are captured again.
// Once the consent's request ids are used, the answer is final.
func TestCorrectAndResend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		mismatch := session.Answer{Status: vocab.StatusDataMismatch, FaceSimilarity: -1, FingerSimilarity: -1}
		f.ver.Answers = []session.Answer{mismatch, mismatch}
		id := f.toStep(session.StateBiometrics)
		isErr(t, f.e.Correct(id), session.ErrWrongStep)
		f.must(f.e.StartFinger(id, 2))
		f.wantState(session.StateBiometrics)
		f.must(f.e.Submit(id))
		f.wantState(session.StateAnswer)
		a := f.e.Snapshot().Answer
		if !a.Correctable || !slices.Equal(a.Taken, []session.Modality{session.Finger}) {
			t.Fatalf("first answer %+v", a)
		}
		f.wantWiped()

		f.must(f.e.Correct(id))
		f.wantState(session.StateCredential)
		isErr(t, f.e.Submit(id), session.ErrWrongStep)
		f.must(f.e.SetCredential(id, "E", credentialE()))
		isErr(t, f.e.Submit(id), session.ErrNothingToSubmit) // the first finger is gone
		f.must(f.e.StartFace(id))
		f.wantState(session.StateBiometrics)
		f.must(f.e.Submit(id))
		f.wantState(session.StateAnswer)
		a = f.e.Snapshot().Answer
		if a.Correctable || !slices.Equal(a.Taken, []session.Modality{session.Face}) {
			t.Fatalf("second answer %+v (resends are bounded; only the face was taken)", a)
		}
		isErr(t, f.e.Correct(id), session.ErrNotCorrectable)

		recs, seen := f.consent.Records(), f.ver.Seen()
		if len(recs) != 1 || len(seen) != 2 {
			t.Fatalf("%d consents, %d requests; want 1 and 2", len(recs), len(seen))
		}
		named := recs[0].Requests
		if len(named) != 2 || seen[0].Request == seen[1].Request ||
			seen[0].Request != string(named[0]) || seen[1].Request != string(named[1]) {
			t.Fatalf("consent names %v, requests sent %q and %q", named, seen[0].Request, seen[1].Request)
		}
		f.must(f.e.Finish(id))
		f.wantWiped()
	})
}

// TestOnlyDataAnswersAreCorrectable: a correction follows only an answer
// about the data typed; a verified credential, a no-match or a retry are
// final, and a session configured with no resends names one request id.
func TestOnlyDataAnswersAreCorrectable(t *testing.T) {
	tests := []struct {
		ans     session.Answer
		resends int
		want    bool
	}{
		{session.Answer{Status: vocab.StatusNotFound, FaceSimilarity: -1, FingerSimilarity: -1}, 1, true},
		{session.Answer{Status: vocab.StatusNotFound, FaceSimilarity: -1, FingerSimilarity: -1}, 0, false},
		{session.Answer{Status: vocab.StatusValid, FaceSimilarity: 93, FingerSimilarity: -1}, 1, false},
		{session.Answer{Status: vocab.StatusValid, FaceSimilarity: 10, FingerSimilarity: -1}, 1, false},
		{session.Answer{Status: vocab.StatusUnknown, Reason: "timeout"}, 1, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s-%d-%d", tt.ans.Status, tt.ans.FaceSimilarity, tt.resends), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, func(o *session.Opts, _ *session.Ports) { o.MaxResends = tt.resends })
				f.ver.Answers = []session.Answer{tt.ans}
				id := f.driveTo(session.StateAnswer)
				if got := f.e.Snapshot().Answer.Correctable; got != tt.want {
					t.Fatalf("correctable = %v, want %v", got, tt.want)
				}
				if n := len(f.consent.Records()[0].Requests); n != 1+tt.resends {
					t.Fatalf("consent names %d request ids, want %d", n, 1+tt.resends)
				}
				if !tt.want {
					isErr(t, f.e.Correct(id), session.ErrNotCorrectable)
				}
			})
		})
	}
}

// TestKioskFaultHasItsOwnEndReason is issue 13 (E): a session stopped by
// a critical condition ended as "finished" once its retry answer was
// dismissed, indistinguishable in ventanilla_sessions_ended_total from a
// served citizen. The closing text names only what had been captured.
func TestKioskFaultHasItsOwnEndReason(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var critical []string
		f := newFixture(t, func(o *session.Opts, _ *session.Ports) {
			o.Readiness = func() session.Readiness { return session.Readiness{Critical: critical} }
		})
		id := f.toStep(session.StateBiometrics)
		f.must(f.e.StartFace(id))
		f.wantState(session.StateBiometrics)
		critical = []string{"disk.low"}
		f.e.HealthChanged()
		f.wantState(session.StateAnswer)
		a := f.e.Snapshot().Answer
		if a.Reason != session.AnswerKioskFault || !slices.Equal(a.Taken, []session.Modality{session.Face}) {
			t.Fatalf("answer %+v", a)
		}
		f.must(f.e.Finish(id))
		ev, _ := f.last(session.KindEnded)
		if ev.Reason != session.EndKioskFault || !slices.Contains(session.EndReasons(), ev.Reason) {
			t.Fatalf("end reason %q, want %q", ev.Reason, session.EndKioskFault)
		}
		critical = nil
		f.driveTo(session.StateAnswer)
		after(f.opts.Timeouts.Answer)
		if ev, _ := f.last(session.KindEnded); ev.Reason != session.EndFinished {
			t.Fatalf("the next session ended %q, want finished", ev.Reason)
		}
	})
}

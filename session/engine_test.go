package session_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

func TestFullSessionWipesBeforeTheAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.toStep(session.StateBiometrics)
		f.must(f.e.StartFace(id))
		f.wantState(session.StateBiometrics)
		f.must(f.e.StartFinger(id, 7))
		f.wantState(session.StateBiometrics)
		snap := f.e.Snapshot()
		if !snap.FaceCaptured || snap.FingerCaptured != 7 || !snap.CredentialSet || snap.Consent == "" {
			t.Fatalf("snapshot before submit: %+v", snap)
		}
		if st := f.alloc.Stats(); st.Live != 4 { // 2 credential fields, face, finger
			t.Fatalf("live buffers before submit = %d, want 4", st.Live)
		}
		f.must(f.e.Submit(id))
		f.wantState(session.StateAnswer)

		seen := f.ver.Seen()
		if len(seen) != 1 || !seen[0].Intact || !seen[0].Face || seen[0].Finger != 7 || seen[0].Fields != 2 || seen[0].Model != "E" {
			t.Fatalf("verifier saw %+v", seen)
		}
		f.wantWiped()
		ks := f.kinds()
		if slices.Index(ks, session.KindWiped) > slices.Index(ks, session.KindAnswer) {
			t.Fatalf("answer before wipe: %v", ks)
		}
		ev, _ := f.last(session.KindAnswer)
		if ev.Answer == nil || ev.Answer.Outcome != session.OutcomeApproved || ev.Answer.FaceSimilarity != 93 {
			t.Fatalf("answer event %+v", ev.Answer)
		}
		if recs := f.consent.Records(); len(recs) != 1 || recs[0].Operator != "op-001" || recs[0].Notice != testNotice.Ref() {
			t.Fatalf("consent records %+v", recs)
		}
		if !f.consent.SignaturesWiped() {
			t.Fatal("signature strokes not wiped after the ledger took them")
		}
		f.must(f.e.Finish(id))
		f.wantState(session.StateIdle)
		f.wantEnded(session.EndFinished)
	})
}

func TestEveryEventIsInTheVocabulary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.toStep(session.StateBiometrics)
		f.must(f.e.StartFace(id))
		f.wantState(session.StateBiometrics)
		f.must(f.e.Submit(id))
		f.wantState(session.StateAnswer)
		f.e.Publish(session.KindOperator)
		f.e.Publish("bogus.kind")
		for _, k := range f.kinds() {
			if !slices.Contains(session.Kinds(), k) {
				t.Errorf("event kind %q is not in the vocabulary", k)
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, ev := range f.events {
			if !slices.Contains(session.States(), ev.State) {
				t.Errorf("event %s has state %q", ev.Kind, ev.State)
			}
		}
	})
}

func TestCaptureRefusedBeforeConsent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, func(_ *session.Opts, p *session.Ports) {
			p.Consent = &sessiontest.Consent{Err: context.DeadlineExceeded}
		})
		id, err := f.e.Claim("op-001")
		f.must(err)
		isErr(t, f.e.StartFace(id), session.ErrConsentRequired)
		f.must(f.e.AcceptNotice(id, testNotice.Ref()))
		isErr(t, f.e.StartFinger(id, 1), session.ErrConsentRequired)
		isErr(t, f.e.SetCredential(id, "E", credentialE()), session.ErrConsentRequired)
		isErr(t, f.e.Submit(id), session.ErrConsentRequired)
		// The ledger fails: still no capture, and the session stays put.
		_, err = f.e.SignConsent(context.Background(), id, signature())
		isErr(t, err, session.ErrConsentNotStored)
		isErr(t, f.e.StartFace(id), session.ErrConsentRequired)
		f.wantState(session.StateSignature)
		if st := f.alloc.Stats(); st.Allocated != 0 {
			t.Fatalf("buffers allocated before consent: %+v", st)
		}
		if ev, ok := f.last(session.KindConsentFailed); !ok || ev.Code != "consent_not_recorded" {
			t.Fatalf("no consent.failed event: %v", f.kinds())
		}
	})
}

func TestCaptureNeedsCredential(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.toStep(session.StateCredential)
		isErr(t, f.e.StartFace(id), session.ErrCredentialNeeded)
		isErr(t, f.e.Submit(id), session.ErrWrongStep)
		f.wantState(session.StateCredential)
	})
}

func TestOneSessionAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.toStep(session.StateSignature)
		_, err := f.e.Claim("op-002")
		isErr(t, err, session.ErrSessionActive)
		if got := f.e.Snapshot(); got.Session != id || got.State != session.StateSignature {
			t.Fatalf("second claim changed the session: %+v", got)
		}
		isErr(t, f.e.AcceptNotice("s_other", testNotice.Ref()), session.ErrStaleSession)
		f.must(f.e.Abort(id, session.EndOperator))
		if _, err := f.e.Claim("op-002"); err != nil {
			t.Fatalf("claim after abort: %v", err)
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.toStep(session.StateNotice)
		other := testNotice
		other.Text += " (editado)"
		isErr(t, f.e.AcceptNotice(id, other.Ref()), session.ErrNoticeMismatch)
		f.must(f.e.AcceptNotice(id, testNotice.Ref()))
		_, err := f.e.SignConsent(context.Background(), id, &session.Signature{Width: 10, Height: 10,
			Strokes: []session.Stroke{{{X: 11, Y: 1}}}})
		isErr(t, err, session.ErrBadSignature)
		f.wantState(session.StateSignature)
		_, err = f.e.SignConsent(context.Background(), id, signature())
		f.must(err)
		bad := map[string][]byte{"cic": []byte("12345678X"), "identificadorCiudadano": []byte("987654321")}
		err = f.e.SetCredential(id, "E", bad)
		isErr(t, err, session.ErrBadCredential)
		var fe *session.FieldError
		if !asFieldError(err, &fe) || fe.Field != "cic" {
			t.Fatalf("field error = %v", err)
		}
		if string(bad["cic"]) != "\x00\x00\x00\x00\x00\x00\x00\x00\x00" {
			t.Fatal("rejected credential value was not wiped")
		}
		isErr(t, f.e.SetCredential(id, "Z", credentialE()), session.ErrBadCredential)
		f.wantState(session.StateCredential)
		if st := f.alloc.Stats(); st.Live != 0 {
			t.Fatalf("rejected credential left %d buffers", st.Live)
		}
		isErr(t, f.e.StartFinger(id, 11), session.ErrCredentialNeeded)
	})
}

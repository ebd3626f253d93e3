package vocab

// ConsentProof is where the consent ledger put a consent record: its leaf
// index, the hash of its canonical bytes, and the size of the log and its
// signed checkpoint right after the append. It is not personal data (the
// record's personal fields are sealed; the hash and the checkpoint reveal
// none of them). The session carries it from the ConsentRecorder to the
// Verifier, whose adapter asks the ledger for the inclusion proof that
// travels to INE.
type ConsentProof struct {
	Index      int64    // leaf index of the record
	RecordHash [32]byte // tlog.RecordHash of the canonical record bytes
	TreeSize   int64    // size of the log after the append
	Checkpoint []byte   // signed note (C2SP checkpoint) of that log
}

package vocab

// Secret is sensitive bytes in memory: a face JPEG, a fingerprint image, a
// credential field. Release wipes (zeroes) and frees it; it is idempotent.
// Bytes must not be used after Release. *secmem.Buffer satisfies Secret.
type Secret interface {
	Bytes() []byte
	Release()
}

// Allocator hands out Secrets of exactly n bytes (n > 0), zeroed.
// secmem.Secrets adapts the locked allocator; tests use
// session/sessiontest.Allocator.
type Allocator interface {
	Alloc(n int) (Secret, error)
}

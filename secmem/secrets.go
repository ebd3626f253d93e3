package secmem

import "github.com/ventanilla-mx/ventanilla/vocab"

// Secrets is a as a vocab.Allocator: every Secret is a locked *Buffer.
func Secrets(a *Allocator) vocab.Allocator { return secrets{a} }

type secrets struct{ a *Allocator }

func (s secrets) Alloc(n int) (vocab.Secret, error) { return s.a.Alloc(n) }

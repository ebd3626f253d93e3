package uplink_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/internal/memscan"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// TestSealLeavesNoCredentialResidue (issue 15): a credential value lent
// from locked memory is sealed into a request; once the sealed request is
// released and the value's buffer wiped, the value is nowhere in the
// process's memory. Before, the request carried it as Go strings through
// encoding/json, whose copies stayed on the heap.
func TestSealLeavesNoCredentialResidue(t *testing.T) {
	c := memscan.New()
	var probe []byte
	c.With(func(p []byte) { probe = bytes.Clone(p) })
	if found := c.InMemory(t); len(found) == 0 {
		t.Fatal("the scan cannot see a canary that is in memory")
	}
	clear(probe)

	f := newFixture(t, "x25519")
	alloc := secmem.NewAllocator(&secmem.Opts{})
	s := *f.sealer
	s.Alloc = alloc
	val, err := alloc.Alloc(memscan.Len)
	if err != nil {
		t.Fatal(err)
	}
	c.With(func(p []byte) { copy(val.Bytes(), p) })
	r := f.request(t, nil, randBytes(64))
	r.Credential = credential.Secret{Model: credential.ModelE, Fields: []credential.SecretField{
		{Name: credential.FieldCIC, Value: []byte("156549854")},
		{Name: credential.FieldIdentificadorCiudadano, Value: val.Bytes()}}}
	sealed, err := s.Seal(r)
	if err != nil {
		t.Fatal(err)
	}
	sealed.Release()
	val.Release()
	r = nil
	if st := alloc.Stats(); st.Live != 0 {
		t.Fatalf("%d locked buffers still live after sealing", st.Live)
	}
	runtime.GC()
	runtime.GC()
	if found := c.InMemory(t); len(found) > 0 {
		t.Fatalf("the credential value is still in memory at:\n%s", strings.Join(found, "\n"))
	}
}

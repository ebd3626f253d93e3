package inesim

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// ServiceOpts returns service options built from the key set: its HPKE
// key, its signing key, and kiosks enrolled with their device keys.
func (p *DevPKI) ServiceOpts(kiosks map[string]ed25519.PublicKey) (*Opts, error) {
	sk, err := uplink.ParsePrivateKeyPEM(p.HPKEPrivate)
	if err != nil {
		return nil, err
	}
	sign, err := devicekey.Parse(p.SignPrivate)
	if err != nil {
		return nil, err
	}
	o := DefaultOpts()
	o.Keys, o.Signer, o.Kiosks = uplink.NewKeyRing(sk), sign, kiosks
	return o, nil
}

// ClientOpts returns kiosk client options pointing at baseURL with this key
// set's CA, client certificate and INE keys.
func (p *DevPKI) ClientOpts(baseURL string, device devicekey.Signer, alloc *secmem.Allocator) (*uplink.Opts, error) {
	tlsc, err := uplink.ClientTLS(p.CACert, p.ClientCert, p.ClientKey)
	if err != nil {
		return nil, err
	}
	pk, err := uplink.ParsePublicKeyPEM(p.HPKEPublic)
	if err != nil {
		return nil, err
	}
	sp, err := devicekey.ParsePublicPEM(p.SignPublic)
	if err != nil {
		return nil, err
	}
	o := uplink.DefaultOpts()
	o.BaseURL, o.KioskID, o.INEKey, o.INESigningKey, o.Signer, o.Alloc, o.TLS = baseURL, p.KioskID, pk, sp, device, alloc, tlsc
	return o, nil
}

// LoadDevPKI reads a key set written by WriteDir.
func LoadDevPKI(dir, kioskID string) (*DevPKI, error) {
	p := &DevPKI{KioskID: kioskID}
	for name, dst := range map[string]*[]byte{
		FileCACert: &p.CACert, FileServerCert: &p.ServerCert, FileServerKey: &p.ServerKey,
		FileClientCert: &p.ClientCert, FileClientKey: &p.ClientKey, FileHPKEPublic: &p.HPKEPublic,
		FileHPKEPrivate: &p.HPKEPrivate, FileSignPublic: &p.SignPublic, FileSignPrivate: &p.SignPrivate,
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("inesim: load keys: %w (run `ine-sim keygen -dir %s`)", err, dir)
		}
		*dst = b
	}
	return p, nil
}

// LoadKiosks reads dir/kiosks/*.pub: the enrolled kiosks' device keys.
func LoadKiosks(dir string) (map[string]ed25519.PublicKey, error) {
	paths, err := filepath.Glob(filepath.Join(dir, DirKiosks, "*.pub"))
	if err != nil {
		return nil, err
	}
	out := map[string]ed25519.PublicKey{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		pub, err := devicekey.ParsePublicPEM(b)
		if err != nil {
			return nil, fmt.Errorf("inesim: kiosk key %s: %w", filepath.Base(p), err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".pub")] = pub
	}
	return out, nil
}

// Server is a running service on a TLS listener.
type Server struct {
	URL  string
	srv  *http.Server
	done chan error
	once sync.Once
}

// Serve starts svc over TLS (TLS 1.3, client certificates from the key
// set's CA) on addr ("127.0.0.1:0" for tests). Stop it with Close.
func Serve(svc *Service, p *DevPKI, addr string) (*Server, error) {
	cfg, err := ServerTLS(p.ServerCert, p.ServerKey, p.CACert)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("inesim: listen %s: %w", addr, err)
	}
	s := &Server{URL: "https://" + ln.Addr().String(), done: make(chan error, 1),
		srv: &http.Server{Handler: svc.Handler(), TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}}
	go func() { s.done <- s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// Close stops the server within 5 s and waits for its goroutine.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
		}
		if e := <-s.done; !errors.Is(e, http.ErrServerClosed) && err == nil {
			err = e
		}
	})
	return err
}

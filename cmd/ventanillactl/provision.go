package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

// provision takes a bare installed kiosk to serving (docs/operations.md,
// "Provisioning"): device key, the mTLS key and CSR for INE, then a check
// that refuses to pass while anything is missing. It runs offline as root,
// reading the same config file as the daemon.

func init() {
	commands = append(commands, command{name: "provision",
		summary: "set up a new kiosk: device-key, csr, check (exit 1 while anything is missing)", run: cmdProvision})
}

const provisionUsage = `usage: ventanillactl [--config FILE] provision STEP [flags]

Takes an installed kiosk to serving; run as root, in this order:
  device-key  create the device key if missing; print its public key and
              fingerprint (for INE enrolment and the auditors)
  csr         create the TLS client key named by uplink.client_key if
              missing and print a certificate request for INE's mTLS link
  check       check every key, certificate and operator the config names;
              exit 1, listing what is missing, until all are present

example:
  sudo ventanillactl provision device-key
  sudo ventanillactl provision csr --out kiosk-017.csr
  sudo ventanillactl provision check
`

func cmdProvision(_ context.Context, c *cli, args []string) int {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(c.stdout, provisionUsage)
		return map[bool]int{true: exitUsage, false: exitOK}[len(args) == 0]
	}
	steps := map[string]func(*cli, *config.Config, []string) int{
		"device-key": provisionDeviceKey, "csr": provisionCSR, "check": provisionCheck,
	}
	step, ok := steps[args[0]]
	if !ok {
		fmt.Fprintf(c.stderr, "ventanillactl provision: unknown step %q\n%s", args[0], provisionUsage)
		return exitUsage
	}
	path := c.globals.config
	if path == "" {
		path = config.DefaultPath
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl provision:", err)
		return exitFailed
	}
	return step(c, cfg, args[1:])
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "help" }

// provisionDeviceKey creates the device key when missing (owned like the
// state directory, 0600) and prints its public half.
func provisionDeviceKey(c *cli, cfg *config.Config, args []string) int {
	if rc, ok := noFlags(c, "device-key", args); !ok {
		return rc
	}
	path := cfg.DeviceKeyPath()
	k, created, err := devicekey.LoadOrCreate(path)
	if err == nil && created {
		err = chownLike(path, cfg.Paths.StateDir)
	}
	if err != nil {
		fmt.Fprintln(c.stderr, "ventanillactl provision device-key:", err)
		return exitFailed
	}
	fmt.Fprintf(c.stdout, "device key: %s (%s)\n", path, map[bool]string{true: "created", false: "already there"}[created])
	return printDeviceKey(c.stdout, k.Public())
}

// printDeviceKey prints the public key (PEM) and its fingerprint: SHA-256
// of the 32 raw key bytes, base64 without padding (as ssh-keygen -l).
func printDeviceKey(w io.Writer, pub ed25519.PublicKey) int {
	p, err := devicekey.MarshalPublicPEM(pub)
	if err != nil {
		return exitFailed
	}
	fmt.Fprintf(w, "device public key fingerprint: %s\n%s", fingerprint(pub), p)
	return exitOK
}

func fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// chownLike gives path the owner and group of ref (the state directory,
// made by systemd-tmpfiles for the daemon's user).
func chownLike(path, ref string) error {
	fi, err := os.Stat(ref)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}
	return os.Chown(path, int(st.Uid), int(st.Gid))
}

func noFlags(c *cli, step string, args []string) (int, bool) {
	fs := flag.NewFlagSet("provision "+step, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	if err := fs.Parse(args); err != nil {
		return map[bool]int{true: exitOK, false: exitUsage}[errors.Is(err, flag.ErrHelp)], false
	}
	return exitOK, true
}

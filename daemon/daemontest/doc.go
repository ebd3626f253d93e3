// Package daemontest provisions a complete, self-contained kiosk for tests:
// a device key, an archive key pair, development TLS and INE keys, a
// reference INE service (ine-sim) on loopback TLS, and a config file that
// points at all of it. Tests of the daemon, of ventanillactl and of the
// whole counter flow start a real daemon on it.
//
// It is test infrastructure: it writes keys under the test's temporary
// directory and must never be used by production code.
package daemontest

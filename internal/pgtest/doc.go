// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb in
// a temporary directory, the server listening only on a unix socket in that
// directory (no TCP), stopped and removed when the test ends.
//
// PostgreSQL refuses to run as root, so under root (as CI runs) the cluster
// belongs to the unprivileged `postgres` user (Debian's package creates it)
// and every server command runs through runuser. A missing PostgreSQL
// installation skips outside CI and fails under CI=true (internal/testenv).
//
// It must never listen on a network address, reuse a cluster between
// tests, or be imported by production code.
package pgtest

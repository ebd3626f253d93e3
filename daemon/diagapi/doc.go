// Package diagapi holds the JSON bodies of the daemon's diagnostics API
// (GET /v1/status, /v1/health, /v1/devices), so that clients such as
// ventanillactl can decode them without importing the daemon and its
// dependencies.
//
// It must never import anything of this module except health (for the
// condition state), and never carry personal data: these bodies name
// hardware, loops and conditions, not people.
package diagapi

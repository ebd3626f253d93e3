// Package operator authenticates the counter clerk by operator id and PIN
// against argon2id hashes (PHC strings, RFC 9106) from the configuration,
// with an attempt rate and a lockout after repeated failures counted per
// client (the kiosk API names a client by the peer's uid), kept in a
// store file across restarts, and one bearer token for the one operator
// logged in at the kiosk screen.
//
// Login never says whether an operator id exists (unknown ids cost the
// same argon2id work) and runs one hash at a time, so a burst of attempts
// cannot exhaust memory. This package must never log or return a PIN or a
// token, and never store either (tokens live in memory until logout, idle
// expiry or restart; the lockout store holds client names, failure counts
// and lockout ends only).
package operator

// Package kioskapi is the kiosk screen's HTTP API on the loopback
// interface: JSON requests that drive the session engine, a Server-Sent
// Events stream of its events (challenge steps, quality feedback, "coloque
// su dedo", "retire su dedo", the answer), an optional MJPEG camera
// preview that is never stored, and the embedded kiosk UI itself.
//
// Security, in order of every request: the Host header must name a
// loopback host (DNS-rebinding defence); an Origin header, when present,
// must be this server's own; Sec-Fetch-Site, when present, must be
// same-origin or none; every /api/ request carries the per-boot token
// that is written into the served page (header X-Ventanilla-Token, or
// ?t= for <img>). The per-boot token only proves the request comes from
// something that read the page, which any local process can do, so
// everything that carries a face, a finger, a credential or an answer
// also needs the operator's bearer token from a PIN login: the session
// requests, the whole state and event stream (others get the coarse
// phase only, and do not count as an attached screen), and the preview,
// which further needs a one-time per-session secret handed to the
// logged-in page as an HttpOnly cookie. There is no CORS: no
// Access-Control-* header is ever sent.
//
// Serving: header, body (10 s) and idle timeouts, a connection cap, bodies
// size-limited and decoded strictly (no unknown fields, duplicate keys,
// trailing data or extra array elements), and a refused request changes
// nothing. Login failures and lockouts count per client, the uid owning
// the peer's loopback socket.
//
// This package must never log a request body, a credential value, a
// signature stroke, an image, a token or an answer, and never write a
// file. Credential values and signature strokes are decoded into byte
// slices that are wiped after use, never into Go strings.
package kioskapi

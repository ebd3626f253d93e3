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
// ?t= for EventSource and <img>); session requests also carry the
// operator's bearer token from a PIN login. There is no CORS: no
// Access-Control-* header is ever sent. Bodies are size-limited, JSON is
// decoded strictly, and a refused request changes nothing.
//
// This package must never log a request body, a credential value, a
// signature stroke, an image, a token or an answer, and never write a
// file. Credential values and signature strokes are decoded into byte
// slices that are wiped after use, never into Go strings.
package kioskapi

// Package fingerprint drives the R30x/ZFM family of UART fingerprint
// modules (Grow R307, R503; AS608; Zhiantec ZFM-20 and clones) for the
// kiosk: handshake, read and set system parameters, wait for a finger,
// capture and upload the image. It never extracts, stores or matches
// templates on the module; the kiosk sends the image itself.
//
// # Datasheets
//
//   - R307 Fingerprint Module User Manual, Hangzhou Grow Technology, v1.2
//     (2011): framing, instruction set, confirmation codes, system
//     parameters, 256x288 image buffer, 4-bit upload.
//   - R503 Fingerprint Module User Manual, Grow, v1.2.2 (2022), e.g.
//     https://cdn-shop.adafruit.com/product-files/4651/4651_R503%20fingerprint%20module%20user%20manual.pdf:
//     192x192 sensor at 508 dpi, the power-up 0x55 byte, GetImageEx (0x28),
//     AuraLedConfig (0x35), ReadProdInfo (0x3C, 46 bytes with the sensor
//     geometry), HandShake (0x40), the extra confirmation codes 0x1F-0xFE.
//   - ZFM-20 Series Fingerprint Identification Module User Manual, Zhiantec:
//     the same protocol.
//
// # Protocol
//
// Every packet is: header 0xEF01, 4-byte module address (factory
// 0xFFFFFFFF), packet id (0x01 command, 0x02 data, 0x07 acknowledge, 0x08
// last data), 2-byte length (payload + 2), payload, 2-byte checksum (sum of
// packet id, length bytes and payload, mod 2^16). Multi-byte fields are
// big-endian. The line is 8N1 (10 bits per byte) at 9600×N baud, N = 1..12,
// factory 57600. UpImage answers with an acknowledge, then the image as
// data packets of the configured packet size (32/64/128/256 bytes; factory
// 128) ending with a 0x08 packet: 4 bits per pixel, two horizontally
// adjacent pixels per byte, left pixel in the high nibble. A 256x288 image
// is 36,864 bytes in 288 packets of 128 bytes.
//
// # Robustness
//
// The decoder hunts for the header after garbage and accepts frames in any
// number of pieces. Every exchange has a deadline; tarm/serial's idle
// (0, io.EOF) reads are turned into deadlines by looping, never by closing
// the port under a blocked Read. Idempotent commands are repeated after a
// checksum error, a timeout or "error receiving packet"; SetSysPara never
// is. When the configured baud does not answer, the driver probes the
// others. An unplugged adapter (device node gone, tty hung up) gives
// ErrUnavailable and StateUnavailable; Run reconnects with backoff.
//
// # What it must never do
//
// Log, keep or write image bytes anywhere: images go straight into the
// caller's buffer, transfer buffers are cleared after each upload, and
// errors and logs carry codes and counts only. Never write the module's
// flash except when asked (SetBaud, packet size on connect).
package fingerprint

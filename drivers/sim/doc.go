// Package sim emulates the kiosk's devices at the byte level, the way gpsd's
// gpsfake and libfprint's virtual devices do, so the real drivers can be
// tested, demonstrated and diagnosed without hardware.
//
// Device is a protocol-accurate R30x/ZFM fingerprint module (R307, R503)
// free of I/O; PTY serves it on a real pseudo-terminal behind a stable
// symlink (like /dev/ventanilla/scanner), pacing its output at the emulated
// baud rate, modelling a baud mismatch from the termios the driver sets, and
// unplugging and replugging on command. Controller takes libfprint-style
// text commands (FINGER, LIFT, AUTO, UNPLUG, ERROR, GARBAGE, ... see Help),
// and Fault injects line faults. Fingers come from image files or from the
// synthetic generator in fingergen.
//
// It is used by the drivers' tests and conformance suites, by `make run`,
// and by technicians (`ventanillactl sim scanner`). It must never be wired
// into a production session path, and never write the images it is given
// anywhere: they stay in the emulated sensor's memory, cleared on lift.
package sim

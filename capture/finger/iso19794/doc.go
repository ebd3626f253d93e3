// Package iso19794 writes and reads finger image records of ISO/IEC
// 19794-4:2005 ("Biometric data interchange formats — Part 4: Finger image
// data"), the format that carries a WSQ (or other) finger image with its
// position, resolution and quality between systems.
//
// A record is a 32-byte general header followed by one 14-byte finger header
// and the image data per finger view:
//
//	"FIR\0" "010\0" length(6) device(2) level(2) views(1) units(1)
//	scan ppi x,y(2,2) image ppi x,y(2,2) depth(1) compression(1) reserved(2)
//	then per view: length(4) position(1) views(1) view#(1) quality(1)
//	impression(1) width(2) height(2) reserved(1) image...
//
// Field values follow NIST's BiomDI validator (fingerimage/libfir) and
// JMRTD's reader of the same records.
//
// Biometric bytes: the writer fills memory the caller provides ([Record.Len]
// tells how much) and the reader returns views whose Image aliases the input,
// so images stay in the caller's locked buffers. The package never writes
// files and never logs.
package iso19794

package fingerprint

// Image is one fingerprint impression as 8-bit grayscale, row-major, one
// byte per pixel, Width bytes per row, dark ridges on a light background as
// the sensor delivers it.
//
// Pix comes from the caller's Alloc (or make, when Alloc is nil) and belongs
// to the caller, who must wipe it (clear(img.Pix)) when done: it is
// biometric data. The driver keeps no reference and no other copy; its own
// transfer buffers are cleared after every upload.
type Image struct {
	Width, Height int
	DPI           int
	Pix           []byte
}

// Alloc returns a buffer of exactly n bytes for image pixels, for example
// from locked, non-dumpable memory (secmem). The driver writes every byte.
type Alloc func(n int) ([]byte, error)

// expand4 widens packed 4-bit samples into dst, two pixels per byte, high
// nibble first (the left pixel), as the module sends them. A 4-bit sample v
// becomes v*17 (v<<4 | v): 0 stays black, 15 becomes 255, the 16 levels are
// evenly spaced over 0..255 and the conversion is exact for pixels that were
// themselves nibble-replicated. The module drops the low nibble of its own
// 8-bit samples, so the true value lies within v*16 .. v*16+15; v*17 is
// never more than 15 away from it.
func expand4(dst, src []byte) {
	_ = dst[2*len(src)-1]
	for i, b := range src {
		dst[2*i] = (b >> 4) * 17
		dst[2*i+1] = (b & 0x0F) * 17
	}
}

// pack4 is the inverse the module applies: keep the high nibble of each
// pixel, two pixels per byte. Used by tests and the emulator.
func pack4(dst, pix []byte) {
	for i := range dst {
		dst[i] = pix[2*i]&0xF0 | pix[2*i+1]>>4
	}
}

// Pack4 packs 8-bit pixels into the module's 4-bit upload format (len(pix)
// must be even; dst gets len(pix)/2 bytes). Exported for the emulator.
func Pack4(dst, pix []byte) { pack4(dst, pix) }

// Package ansinist writes and reads ANSI/NIST-ITL Type-14 records (variable
// resolution fingerprint image) in the traditional tagged encoding, the form
// law-enforcement and civil AFIS systems exchange WSQ finger images in.
//
// A record is a sequence of "14.NNN:value" fields separated by GS (0x1D),
// the image field 14.999 last, terminated by FS (0x1C):
//
//	14.001 LEN  record length in bytes      14.008 SLC  scale units (1 = ppi)
//	14.002 IDC  image designation (0..99)   14.009 THPS horizontal pixel scale
//	14.003 IMP  impression type             14.010 TVPS vertical pixel scale
//	14.004 SRC  source agency (ORI)         14.011 CGA  compression (WSQ20, ...)
//	14.005 FCD  capture date YYYYMMDD       14.012 BPX  bits per pixel
//	14.006 HLL  width in pixels             14.013 FGP  finger position
//	14.007 VLL  height in pixels            14.999 DATA the image
//
// Field numbers and codes follow ANSI/NIST-ITL 1-2011 and NIST's an2k
// checker (NBIS chkan2k). Only a Type-14 record is produced: a transmission
// also needs the Type-1 transaction record, which belongs to whoever builds
// the transaction.
//
// Biometric bytes: the writer fills caller memory (MarshalTo, or PutHeader
// with the image encoded in place) and the reader's Image aliases the input.
// The package never writes files and never logs.
package ansinist

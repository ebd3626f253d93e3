// Package credential models the INE Credencial para Votar for verification:
// the eight credential models (A-H) and the fields INE's verification service
// takes for each, their validation (lengths, character sets, check digits and
// the structure of the clave de elector), and the TD1 machine-readable zone
// (ICAO 9303 part 5, 3 lines of 30) printed on the back of models D-H.
//
// Field sets (from the INE verification service's published field list):
//
//	A, B, C  claveElector (18) + numeroEmision (2) + ocr (13)
//	D        cic (9) + ocr (13)
//	E-H      cic (9) + identificadorCiudadano (9)
//
// Validation proves shape, not truth: only INE can say whether a credential
// exists. Errors name the field and the rule that failed and never echo the
// value, because credential numbers are personal data. For the same reason
// this package never logs, and a Credential's String method is redacted.
package credential

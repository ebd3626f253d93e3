// Package efirma opens a citizen's SAT e.firma at the kiosk counter: the
// encrypted private key (`.key`, PKCS#8 EncryptedPrivateKeyInfo, PBES2 with
// PBKDF2 and DES-EDE3-CBC as SAT issues it, or AES-CBC) is decrypted with
// the citizen's password into locked memory (secmem), checked against the
// `.cer` certificate, used once to sign the consent statement
// (RSASSA-PKCS1-v1_5, SHA-256) and wiped.
//
// The .key and the password are outside bytes: the decoder bounds every
// size and iteration count and has a fuzz target.
//
// This package must never write the key, the password or the certificate's
// subject anywhere: not in an error, a log line, a metric or a file. Its
// errors are sentinels. It never verifies the certificate chain: that is
// consent.EFirma.Verify's, against the configured SAT CAs, at the
// statement's time.
//
// Limit: crypto/pbkdf2's HMAC state and crypto/rsa's parsed key live on the
// Go heap for the milliseconds of one signature; Sign clears the big
// integers it can reach, the rest becomes garbage when Sign returns.
package efirma

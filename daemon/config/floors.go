package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Floors under the operator login settings (issue 17): weaker values are a
// configuration error, not a choice. The argon2id floor is the OWASP
// minimum (19 MiB, 2 passes); `ventanillactl kiosk hash-pin` writes
// m=65536,t=3,p=2.
const (
	MinPINHashMemoryKiB = 19456
	MinPINHashTime      = 2
	MinLoginLockout     = time.Minute
	MaxLoginFailures    = 10
)

// CheckPINHash checks that h is an argon2id PHC string whose cost is at
// least the floors. It never quotes the hash. The operators file, read at
// start, must pass the same check.
func CheckPINHash(h string) error {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return fmt.Errorf("want an argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash) from `ventanillactl kiosk hash-pin`, never a PIN")
	}
	var m, t, p uint64
	params := strings.Split(parts[3], ",")
	if len(params) != 3 || !param(params[0], "m=", &m) || !param(params[1], "t=", &t) || !param(params[2], "p=", &p) || p < 1 {
		return fmt.Errorf("argon2id parameters are not m=<KiB>,t=<passes>,p=<lanes> (PHC)")
	}
	if m < MinPINHashMemoryKiB || t < MinPINHashTime {
		return fmt.Errorf("argon2id m=%d,t=%d is below the floor m=%d,t=%d: rehash with `ventanillactl kiosk hash-pin`",
			m, t, MinPINHashMemoryKiB, MinPINHashTime)
	}
	return nil
}

func param(s, name string, v *uint64) bool {
	num, ok := strings.CutPrefix(s, name)
	if !ok {
		return false
	}
	n, err := strconv.ParseUint(num, 10, 32)
	*v = n
	return err == nil
}

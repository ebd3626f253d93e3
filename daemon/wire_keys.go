package daemon

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/health"
)

const condDeviceKey health.Code = "devicekey.unavailable"

// wireDeviceKey loads the kiosk's device key, creating it on first start.
// Consent and uplink sign with it; without it the kiosk takes no sessions.
func wireDeviceKey(s *System) optional[*devicekey.Key] {
	t := s.Health.Declare(health.Condition{Code: condDeviceKey, Severity: health.Warning, NotReady: true,
		Message: "the device key cannot be read or created: check kiosk.device_key and the state directory's permissions"})
	path := s.Config.DeviceKeyPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Set(err.Error())
		return none[*devicekey.Key]("no device key")
	}
	key, created, err := devicekey.LoadOrCreate(path)
	if err != nil {
		t.Set(err.Error())
		return none[*devicekey.Key]("no device key")
	}
	sum := sha256.Sum256(key.Public())
	fp := hex.EncodeToString(sum[:8])
	if created {
		s.Log.Warn("created a new device key; enrol its public key with INE (docs/operations.md)", "path", path, "fingerprint", fp)
	} else {
		s.Log.Info("device key loaded", "path", path, "fingerprint", fp)
	}
	return some(key)
}

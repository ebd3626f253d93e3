package udev

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// token is one KEY[{attr}] OP "value" of a rule.
type token struct{ key, attr, op, value string }

var tokenRE = regexp.MustCompile(`^([A-Z_]+)(?:\{([^}]+)\})?(==|!=|\+=|-=|:=|=)"([^"]*)"$`)

// Keys udev accepts (udev(7)); which ones only match and which only assign.
var (
	matchOnly  = map[string]bool{"ACTION": true, "DEVPATH": true, "KERNEL": true, "KERNELS": true, "SUBSYSTEM": true, "SUBSYSTEMS": true, "DRIVER": true, "DRIVERS": true, "ATTRS": true, "TAGS": true, "TEST": true, "PROGRAM": true, "RESULT": true, "CONST": true, "SYSCTL": false}
	assignOnly = map[string]bool{"OWNER": true, "GROUP": true, "MODE": true, "RUN": true, "IMPORT": true, "OPTIONS": true, "LABEL": true, "GOTO": true, "SECLABEL": true, "NAME": false}
	either     = map[string]bool{"ENV": true, "ATTR": true, "SYMLINK": true, "TAG": true, "NAME": true, "SYSCTL": true}
)

func parseRules(t *testing.T, path string) [][]token {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rules [][]token
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rules = append(rules, parseRule(t, n, line))
	}
	return rules
}

func parseRule(t *testing.T, n int, line string) []token {
	var rule []token
	for _, part := range strings.Split(line, ", ") {
		m := tokenRE.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			t.Fatalf("line %d: cannot parse %q", n, part)
		}
		tk := token{key: m[1], attr: m[2], op: m[3], value: m[4]}
		isMatch := tk.op == "==" || tk.op == "!="
		switch {
		case matchOnly[tk.key] && !isMatch:
			t.Errorf("line %d: %s can only be matched, not assigned", n, tk.key)
		case assignOnly[tk.key] && isMatch:
			t.Errorf("line %d: %s can only be assigned", n, tk.key)
		case !matchOnly[tk.key] && !assignOnly[tk.key] && !either[tk.key]:
			t.Errorf("line %d: unknown key %s", n, tk.key)
		}
		rule = append(rule, tk)
	}
	return rule
}

func has(rule []token, key, attr, op, value string) bool {
	for _, tk := range rule {
		if tk.key == key && tk.attr == attr && tk.op == op && tk.value == value {
			return true
		}
	}
	return false
}

func TestRules(t *testing.T) {
	rules := parseRules(t, "60-ventanilla.rules")
	bridges := map[string]bool{"10c4:ea60": false, "1a86:7523": false, "0403:6001": false, "067b:2303": false}
	camera := 0
	for _, r := range rules {
		switch {
		case has(r, "SYMLINK", "", "+=", "ventanilla/scanner"):
			for _, want := range []token{{"SUBSYSTEM", "", "==", "tty"}, {"ENV", "ID_MM_DEVICE_IGNORE", "=", "1"},
				{"GROUP", "", "=", "dialout"}, {"MODE", "", "=", "0660"}} {
				if !has(r, want.key, want.attr, want.op, want.value) {
					t.Errorf("scanner rule %v lacks %+v", r, want)
				}
			}
			for id := range bridges {
				v, p, _ := strings.Cut(id, ":")
				if has(r, "ENV", "ID_VENDOR_ID", "==", v) && has(r, "ENV", "ID_MODEL_ID", "==", p) {
					bridges[id] = true
				}
			}
		case has(r, "SYMLINK", "", "+=", "ventanilla/camera"):
			camera++
			if !has(r, "GROUP", "", "=", "video") || !has(r, "SUBSYSTEM", "", "==", "video4linux") {
				t.Errorf("camera rule %v: want video4linux and group video", r)
			}
		default:
			t.Errorf("rule %v names neither device", r)
		}
	}
	for id, ok := range bridges {
		if !ok {
			t.Errorf("no scanner rule for USB bridge %s", id)
		}
	}
	if camera != 1 {
		t.Errorf("%d camera rules, want 1", camera)
	}
}

// TestUdevadmVerify uses systemd's own checker where it exists (systemd
// 253+; Debian 12 ships 252, so usually skipped there).
func TestUdevadmVerify(t *testing.T) {
	if _, err := exec.LookPath("udevadm"); err != nil {
		t.Skip("udevadm not installed")
	}
	out, err := exec.Command("udevadm", "verify", "60-ventanilla.rules").CombinedOutput()
	if err != nil && strings.Contains(string(out), "Unknown command") {
		t.Skip("udevadm too old for verify")
	}
	if err != nil {
		t.Fatalf("udevadm verify: %v\n%s", err, out)
	}
}

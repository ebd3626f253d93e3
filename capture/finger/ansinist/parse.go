package ansinist

import (
	"bytes"
	"strconv"
	"time"
)

// Parse reads one Type-14 record. Image aliases data. Fields other than
// those of Header are skipped; a missing mandatory field is an error.
func Parse(data []byte) (*Record, error) {
	n, rest, err := recordLength(data)
	if err != nil {
		return nil, err
	}
	if n > len(data) || n < len(data)-len(rest)+1 || data[n-1] != fs {
		return nil, formatErr("record length %d does not match the %d bytes given", n, len(data))
	}
	body := data[len(data)-len(rest) : n-1]
	r := &Record{}
	seen := map[string]bool{}
	units := 1
	for len(body) > 0 {
		if body[0] != gs {
			return nil, formatErr("fields must be separated by GS")
		}
		tag, value, next, err := nextField(body[1:])
		if err != nil {
			return nil, err
		}
		if seen[tag] {
			return nil, formatErr("field 14.%s repeated", tag)
		}
		seen[tag] = true
		if err := r.set(tag, value, &units); err != nil {
			return nil, err
		}
		body = next
	}
	switch units { // 14.008: 1 pixels per inch, 2 per centimetre, 0 none
	case 0:
		r.PPI = 0
	case 2:
		r.PPI = int(float64(r.PPI)*2.54 + 0.5)
	}
	for _, tag := range []string{"002", "003", "004", "005", "006", "007", "008", "009", "010", "011", "012", "013", "999"} {
		if !seen[tag] {
			return nil, formatErr("mandatory field 14.%s missing", tag)
		}
	}
	return r, nil
}

// recordLength reads "14.001:<n>" and returns n and what follows the digits.
func recordLength(data []byte) (int, []byte, error) {
	const prefix = "14.001:"
	if !bytes.HasPrefix(data, []byte(prefix)) {
		return 0, nil, formatErr("does not start with field 14.001")
	}
	rest := data[len(prefix):]
	i := 0
	for i < len(rest) && i < 12 && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(string(rest[:i]))
	if err != nil {
		return 0, nil, formatErr("record length is not a number")
	}
	return n, rest[i:], nil
}

// nextField splits "14.NNN:value" off b; the image field takes the rest.
func nextField(b []byte) (tag string, value, rest []byte, err error) {
	if len(b) < 7 || string(b[:3]) != "14." || b[6] != ':' {
		return "", nil, nil, formatErr("malformed field tag")
	}
	tag = string(b[3:6])
	b = b[7:]
	if tag == "999" {
		return tag, b, nil, nil
	}
	end := bytes.IndexByte(b, gs)
	if end < 0 {
		return "", nil, nil, formatErr("field 14.%s is not followed by the image field", tag)
	}
	return tag, b[:end], b[end:], nil
}

func (r *Record) set(tag string, v []byte, units *int) error {
	var err error
	switch tag {
	case "002":
		r.IDC, err = number(tag, v, 0, 99)
	case "003":
		r.Impression, err = number(tag, v, 0, 29)
	case "004":
		r.Agency = string(v)
	case "005":
		if r.CaptureDate, err = time.Parse("20060102", string(v)); err != nil {
			return formatErr("field 14.005 is not a YYYYMMDD date")
		}
	case "006":
		r.Width, err = number(tag, v, 1, 99999)
	case "007":
		r.Height, err = number(tag, v, 1, 99999)
	case "008":
		*units, err = number(tag, v, 0, 2)
	case "009":
		r.PPI, err = number(tag, v, 1, 99999)
	case "010":
		_, err = number(tag, v, 1, 99999)
	case "011":
		r.Compression = string(v)
	case "012":
		r.BitsPerPixel, err = number(tag, v, 1, 99)
	case "013":
		r.Position, err = number(tag, v, 0, 255)
	case "999":
		r.Image = v[:len(v):len(v)]
	}
	if err != nil {
		return formatErr("field 14.%s: %v", tag, err)
	}
	return nil
}

func number(tag string, v []byte, lo, hi int) (int, error) {
	if len(v) == 0 || len(v) > 6 {
		return 0, formatErr("field 14.%s is not a number", tag)
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < lo || n > hi {
		return 0, formatErr("field 14.%s outside %d..%d", tag, lo, hi)
	}
	return n, nil
}

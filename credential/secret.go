package credential

// Secret is a credential as the kiosk holds it: each value is a byte slice
// the caller owns, in locked memory that it wipes after use, never a Go
// string (which cannot be wiped). Credential, with strings, is for INE's
// side and for tests.
type Secret struct {
	Model  Model
	Fields []SecretField // exactly the model's fields, in any order
}

// SecretField is one field of a Secret. Value is borrowed, not copied.
type SecretField struct {
	Name  string // protocol field name
	Value []byte
}

// String is redacted, as Credential's.
func (c Secret) String() string { return "credential(model " + c.Model.String() + ", redacted)" }

// GoString is redacted too (%#v).
func (c Secret) GoString() string { return c.String() }

// Get returns a field's value (nil when absent), without copying it.
func (c *Secret) Get(field string) []byte {
	for _, f := range c.Fields {
		if f.Name == field {
			return f.Value
		}
	}
	return nil
}

// Validate checks that exactly the model's fields are present, once each,
// and that each has the right shape, reading the values in place. It
// returns the first *FieldError, or ErrModel.
func (c *Secret) Validate() error {
	fields := c.Model.Fields()
	if fields == nil {
		return ErrModel
	}
	for _, f := range fields {
		if err := ValidateField(f, c.Get(f)); err != nil {
			return err
		}
	}
	for _, f := range c.Fields {
		if !c.Model.has(f.Name) {
			return &FieldError{Field: f.Name, Rule: "absent for model " + c.Model.String()}
		}
	}
	if len(c.Fields) != len(fields) {
		return &FieldError{Field: "(set)", Rule: "each of the model's fields once"}
	}
	return nil
}

func (m Model) has(field string) bool {
	for _, f := range m.Fields() {
		if f == field {
			return true
		}
	}
	return false
}

// Secret returns c's fields as a Secret over fresh byte slices: for tests
// and INE's reference tools, which hold credentials as strings anyway.
func (c Credential) Secret() Secret {
	s := Secret{Model: c.Model}
	for _, f := range c.Model.Fields() {
		s.Fields = append(s.Fields, SecretField{Name: f, Value: []byte(c.Get(f))})
	}
	return s
}

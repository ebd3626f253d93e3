package config

import (
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyPosition finds where a dotted key is written in data, so semantic
// errors can name a line too. It returns 0, 0 when the key is absent (a
// missing required key) or the document cannot be walked.
func keyPosition(data []byte, dotted string) (line, col int) {
	if dotted == "" {
		return 0, 0
	}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(n)
		case unstable.KeyValue:
			parts := append(append([]string(nil), table...), keyParts(n)...)
			if strings.Join(parts, ".") == dotted {
				it := n.Key()
				if it.Next() {
					sh := p.Shape(p.Range(it.Node().Data))
					return sh.Start.Line, sh.Start.Column
				}
			}
		}
	}
	return 0, 0
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

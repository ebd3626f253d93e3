package eval

import "github.com/ventanilla-mx/ventanilla/liveness"

func verdictOf(s string) liveness.Verdict { return liveness.Verdict(s) }

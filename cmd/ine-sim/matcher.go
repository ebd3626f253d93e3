package main

import "github.com/ventanilla-mx/ventanilla/uplink/inesim"

// matcher is the biometric matcher the service uses, closed at exit.
type matcher interface {
	inesim.Matcher
	Close()
}

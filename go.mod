module github.com/ventanilla-mx/ventanilla

go 1.26.8

require (
	github.com/creack/pty v1.1.24
	github.com/tarm/serial v0.0.0-20180830185346-98f6abe2eb07
	golang.org/x/mod v0.43.0
	golang.org/x/sys v0.50.0
)

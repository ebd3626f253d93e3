module github.com/ventanilla-mx/ventanilla

go 1.26.8

require (
	gocv.io/x/gocv v0.31.0
	golang.org/x/mod v0.43.0
	golang.org/x/sys v0.50.0
)

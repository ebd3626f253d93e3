module github.com/ventanilla-mx/ventanilla

go 1.26.8

require golang.org/x/mod v0.43.0

require gocv.io/x/gocv v0.31.0

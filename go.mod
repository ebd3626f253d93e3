module github.com/ventanilla-mx/ventanilla

go 1.26.8

require golang.org/x/mod v0.43.0

require github.com/mattn/go-sqlite3 v1.14.53

module github.com/ventanilla-mx/ventanilla

go 1.26.8

require golang.org/x/mod v0.43.0

require (
	github.com/coreos/go-systemd/v22 v22.7.0 // indirect
	github.com/pelletier/go-toml/v2 v2.4.3 // indirect
	github.com/prometheus/client_golang v1.25.0 // indirect
)

// Package config reads Ventanilla's one configuration file: a versioned,
// strict TOML document (unknown keys and wrong types are errors that name
// the file and line).
//
// Everything the daemon does is decided here before anything starts; no
// other package reads the file or the environment for settings. Relative
// paths in the file are resolved against the file's own directory, so the
// development config works from any working directory.
//
// This package must never hold a secret's contents: the file names key and
// certificate paths; the keys themselves are read by the packages that use
// them. A summary for diagnostics (Summary) therefore never leaks secrets.
package config

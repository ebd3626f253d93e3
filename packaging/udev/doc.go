// Package udev holds the kiosk's udev rules (60-ventanilla.rules) and a test
// that checks their syntax and what they promise: stable names under
// /dev/ventanilla, ModemManager kept off the scanner, group and mode for the
// ventanilla user. There is no code here.
package udev

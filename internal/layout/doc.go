// Package layout holds only a test: the one that keeps the module's
// dependencies pointing one way (cmd → stages → internal → schemas).
package layout

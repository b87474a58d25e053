package demo

import _ "embed"

//go:embed demo.bin
var image string // a string, so the embedded program cannot be modified

// Image returns a copy of the demo program.
func Image() []byte { return []byte(image) }

//go:build !(linux && amd64)

package dbt

import (
	"errors"

	"bt86/cpu"
)

// Available reports whether the translator runs on this host.
func Available() bool { return false }

// Engine is unavailable on this host.
type Engine struct{}

// New fails: the translator needs a linux/amd64 host.
func New(c *cpu.CPU) (*Engine, error) {
	return nil, errors.New("dbt: the translator needs a linux/amd64 host")
}

// Run is never reached (New fails).
func (e *Engine) Run(budget int) cpu.Exit { return cpu.Exit{Reason: cpu.ExitStop} }

// Close does nothing.
func (e *Engine) Close() error { return nil }

// FlushCodeCache does nothing.
func (e *Engine) FlushCodeCache() {}

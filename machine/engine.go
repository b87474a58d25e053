package machine

import (
	"slices"

	"bt86/cpu"
)

// Engine names (Config.Engine, emu -engine).
const (
	EngineInterp = "interp"
	EngineDBT    = "dbt"
)

// Engines lists the execution engines available on this host, the
// default first. Tests that must pass under every engine loop over it.
func Engines() []string { return []string{EngineInterp} }

// DefaultEngine is the engine used when Config.Engine is empty.
func DefaultEngine() string { return Engines()[0] }

func engineAvailable(name string) bool { return slices.Contains(Engines(), name) }

// newExecutor returns the executor for the configured engine.
func (m *Machine) newExecutor() cpu.Executor { return m.cpu }

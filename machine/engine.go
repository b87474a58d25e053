package machine

import (
	"fmt"
	"os"
	"slices"

	"bt86/cpu"
	"bt86/dbt"
)

// Engine names (Config.Engine, emu -engine).
const (
	EngineInterp = "interp"
	EngineDBT    = "dbt"
)

// Engines lists the execution engines available on this host, the
// default first: the translator where it runs (linux/amd64), else the
// interpreter. Tests that must pass under every engine loop over it.
func Engines() []string {
	if dbt.Available() {
		return []string{EngineDBT, EngineInterp}
	}
	return []string{EngineInterp}
}

// DefaultEngine is the engine used when Config.Engine is empty.
func DefaultEngine() string { return Engines()[0] }

func engineAvailable(name string) bool { return slices.Contains(Engines(), name) }

// newExecutor returns the executor for the configured engine.
func (m *Machine) newExecutor() (cpu.Executor, error) {
	if m.cfg.Engine == EngineDBT {
		e, err := dbt.New(m.cpu)
		if err != nil {
			return nil, fmt.Errorf("machine: %w", err)
		}
		m.dbt = e
		if os.Getenv("BT86_DBT_PROFILE") != "" {
			e.StepProfile = map[string]uint64{}
		}
		if os.Getenv("BT86_PERFMAP") != "" {
			// perf's JIT symbol map, so `perf report` names guest blocks.
			f, err := os.Create(fmt.Sprintf("/tmp/perf-%d.map", os.Getpid()))
			if err != nil {
				return nil, fmt.Errorf("machine: BT86_PERFMAP: %w", err)
			}
			m.perfMap = f
			e.PerfMap = f
		}
		return e, nil
	}
	return m.cpu, nil
}

// DBTStats returns the translator's counters, and false when the
// machine runs the interpreter.
func (m *Machine) DBTStats() (dbt.Stats, bool) {
	if m.dbt == nil {
		return dbt.Stats{}, false
	}
	return m.dbt.Stats, true
}

// DBT returns the translator engine, or nil under the interpreter.
func (m *Machine) DBT() *dbt.Engine { return m.dbt }

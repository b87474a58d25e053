// Package deps holds the import-policy test: who in bt86 may import whom,
// in the spirit of Go's src/go/build/deps_test.go. The layering is the one
// in DESIGN.md:
//
//	L0 leaves (stdlib + x86asm only)   decoder   bus   clock
//	L1                                 mmu ──► bus
//	                                   devices/* ──► bus, clock
//	L2                                 mmu/shadow ──► mmu, bus
//	L3                                 cpu ──► decoder, mmu, mmu/shadow, bus
//	L4                                 dbt ──► cpu, decoder, mmu, mmu/shadow, dbt/internal/...
//	                                   bios, bios/* ──► cpu, bus, mmu
//	                                   guest/* ──► anything below machine
//	L5                                 machine ──► everything above
//	L6 roots (imported by none)        cmd/..., testsuite/..., bench/...
//
// Only non-test imports are checked: _test.go files may import anything.
package deps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "bt86"

// rule says which packages (pkgs) may import which bt86 packages (allow)
// and which third-party import paths (ext, matched as prefixes).
// Patterns are module-relative: "x" is package x, "x/..." is x and every
// package below it, "..." is every package.
type rule struct {
	pkgs  []string
	allow []string
	ext   []string
}

// The layers as cumulative sets: belowMachine is everything a guest
// tool may use, and (with guest/...) everything machine may use.
var (
	l0           = []string{"decoder", "bus", "clock", "disk"}
	l1           = append([]string{"mmu", "devices/..."}, l0...)
	l2           = append([]string{"mmu/shadow"}, l1...)
	l3           = append([]string{"cpu"}, l2...)
	l4           = append([]string{"dbt/...", "bios/...", "gdbstub"}, l3...)
	belowMachine = append([]string{"guest/..."}, l4...)
)

// x86asm is the one third-party package the leaves may use.
const x86asm = "golang.org/x/arch/x86/x86asm"

// policy is the table. The first rule whose pkgs match a package applies,
// so more specific patterns come first. A package no rule covers fails
// the test: add it here, at the layer DESIGN.md gives it.
var policy = []rule{
	// L0: leaves.
	{pkgs: []string{"decoder"}, ext: []string{x86asm}},
	{pkgs: []string{"bus", "clock"}},
	{pkgs: []string{"disk"}}, // disk image files: the store under devices/ide and the BIOS disk services

	// L1.
	{pkgs: []string{"mmu"}, allow: []string{"bus"}},
	{pkgs: []string{"devices/..."}, allow: []string{"bus", "clock"}},

	// L2.
	{pkgs: []string{"mmu/shadow"}, allow: []string{"mmu", "bus"}},

	// L3: never dbt, devices or machine. bus is a leaf below mmu, so
	// naming it directly adds no edge the layering does not have.
	{pkgs: []string{"cpu"}, allow: []string{"decoder", "mmu", "mmu/shadow", "bus"}},

	// L4.
	{pkgs: []string{"dbt/internal/..."}, allow: []string{"dbt/internal/...", "cpu", "decoder", "mmu", "mmu/shadow", "bus"}, ext: []string{"github.com/twitchyliquid64/golang-asm"}},
	{pkgs: []string{"dbt/..."}, allow: []string{"dbt/internal/...", "cpu", "decoder", "mmu", "mmu/shadow", "bus"}, ext: []string{"github.com/twitchyliquid64/golang-asm", "golang.org/x/sys/unix"}},
	{pkgs: []string{"bios/..."}, allow: []string{"bios/...", "cpu", "bus", "mmu"}},
	// The gdb stub drives a vCPU (or any engine through its Target).
	{pkgs: []string{"gdbstub"}, allow: []string{"cpu", "decoder", "mmu", "mmu/shadow", "bus"}},
	// Loaders and host tools for guests (initramfs, cpio, ...): anything
	// below machine, including each other.
	{pkgs: []string{"guest/..."}, allow: belowMachine},

	// L5. x/sys/unix maps guest RAM outside the Go heap;
	// x86asm disassembles guest code for -d in_asm.
	{pkgs: []string{"machine/..."}, allow: belowMachine, ext: []string{"golang.org/x/sys/unix", x86asm}},

	// L6: roots may import anything (the empty ext prefix admits every
	// third-party module), and nothing may import them.
	{pkgs: roots, allow: []string{"..."}, ext: []string{""}},
}

// roots are imported by no one (L6).
var roots = []string{"cmd/...", "testsuite/...", "bench/..."}

// match reports whether module-relative package p matches pattern pat.
func match(pat, p string) bool {
	switch {
	case pat == "...":
		return true
	case strings.HasSuffix(pat, "/..."):
		base := strings.TrimSuffix(pat, "/...")
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pat
}

func matchAny(pats []string, p string) bool {
	for _, pat := range pats {
		if match(pat, p) {
			return true
		}
	}
	return false
}

func ruleFor(p string) *rule {
	for i := range policy {
		if matchAny(policy[i].pkgs, p) {
			return &policy[i]
		}
	}
	return nil
}

// pkg is the part of `go list -json` output the test reads.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string // non-test imports
	Deps       []string // transitive non-test dependencies
	Error      *struct{ Err string }
}

// listPackages runs `go list -e -deps -json bt86/...` and returns every
// package in the closure, by import path.
func listPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command(goTool, "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,Deps,Error", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func rel(importPath string) (string, bool) {
	if importPath == module {
		return "", true
	}
	r, ok := strings.CutPrefix(importPath, module+"/")
	return r, ok
}

// local returns the bt86 packages, module-relative, sorted.
func local(pkgs map[string]*pkg) []string {
	var out []string
	for path := range pkgs {
		if r, ok := rel(path); ok {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func TestImportPolicy(t *testing.T) {
	pkgs := listPackages(t)
	require.NotEmpty(t, local(pkgs))
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// violations checks every bt86 package's non-test imports against policy.
func violations(pkgs map[string]*pkg) []string {
	var out []string
	for _, p := range local(pkgs) {
		r := ruleFor(p)
		if r == nil {
			out = append(out, fmt.Sprintf("package %s/%s is not in the import policy: add it to policy in testsuite/deps/deps_test.go at its DESIGN.md layer", module, p))
			continue
		}
		for _, imp := range pkgs[module+"/"+p].Imports {
			if ip, ok := rel(imp); ok {
				if matchAny(roots, ip) {
					out = append(out, fmt.Sprintf("%s/%s imports %s: cmd, testsuite and bench are roots that no package may import", module, p, imp))
				} else if !matchAny(r.allow, ip) {
					out = append(out, fmt.Sprintf("%s/%s imports %s: not allowed by the layering (allowed: %v)", module, p, imp, r.allow))
				}
				continue
			}
			if dep := pkgs[imp]; imp == "C" || dep != nil && dep.Standard {
				continue
			}
			ok := false
			for _, prefix := range r.ext {
				ok = ok || strings.HasPrefix(imp, prefix)
			}
			if !ok {
				out = append(out, fmt.Sprintf("%s/%s imports third-party %s: not allowed (add it to the rule's ext list if it should be)", module, p, imp))
			}
		}
	}
	return out
}

// TestViolationsDetected feeds violations a synthetic module, so the
// checker itself is known to bite.
func TestViolationsDetected(t *testing.T) {
	std := func(path string) *pkg { return &pkg{ImportPath: path, Standard: true} }
	mk := func(path string, imports ...string) *pkg {
		return &pkg{ImportPath: module + "/" + path, Imports: imports}
	}
	pkgs := map[string]*pkg{}
	for _, p := range []*pkg{
		std("fmt"),
		{ImportPath: "github.com/some/lib"},
		{ImportPath: x86asm},
		mk("bus", "fmt"),
		mk("clock", "github.com/some/lib"),          // third-party in a leaf
		mk("decoder", x86asm),                       // allowed
		mk("devices/pic", "bt86/bus", "bt86/clock"), // allowed
		mk("cpu", "bt86/decoder", "bt86/devices/pic"),
		mk("mmu", "bt86/bus", "bt86/testsuite/singlestep"),
		mk("machine", "bt86/cpu", "bt86/devices/pic"), // allowed
		mk("newpkg"),
		mk("testsuite/singlestep", "bt86/machine", "github.com/some/lib"), // roots may
	} {
		pkgs[p.ImportPath] = p
	}
	got := violations(pkgs)
	require.Len(t, got, 4, strings.Join(got, "\n"))
	require.Contains(t, got[0], "bt86/clock imports third-party github.com/some/lib")
	require.Contains(t, got[1], "bt86/cpu imports bt86/devices/pic")
	require.Contains(t, got[2], "bt86/mmu imports bt86/testsuite/singlestep: cmd, testsuite and bench are roots")
	require.Contains(t, got[3], "bt86/newpkg is not in the import policy")
}

// TestLayerClosure checks the transitive dependencies of the packages
// whose isolation DESIGN.md spells out, so a violation through an
// intermediate package is caught too.
func TestLayerClosure(t *testing.T) {
	pkgs := listPackages(t)
	forbidden := []struct {
		pkg    string
		banned []string
		why    string
	}{
		{"decoder", []string{"..."}, "L0 leaves use the standard library (and x86asm) only"},
		{"bus", []string{"..."}, "L0 leaves use the standard library only"},
		{"clock", []string{"..."}, "L0 leaves use the standard library only"},
		{"mmu", []string{"cpu", "dbt/...", "devices/...", "machine/...", "mmu/shadow"}, "mmu sits below everything but bus"},
		{"cpu", []string{"dbt/...", "devices/...", "machine/...", "bios/...", "guest/..."}, "cpu declares the interfaces it consumes; machine wires concrete values in"},
		{"dbt", []string{"devices/...", "machine/...", "bios/..."}, "dbt reaches devices only through cpu exits"},
	}
	for _, f := range forbidden {
		p := pkgs[module+"/"+f.pkg]
		if p == nil {
			continue // not written yet
		}
		for _, dep := range p.Deps {
			if d, ok := rel(dep); ok && matchAny(f.banned, d) {
				t.Errorf("%s/%s depends on %s (via %s): %s", module, f.pkg, dep, chain(pkgs, module+"/"+f.pkg, dep), f.why)
			}
		}
	}
}

// chain returns an import path from -> ... -> to, for error messages.
func chain(pkgs map[string]*pkg, from, to string) string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for p := to; p != ""; p = prev[p] {
				path = append([]string{p}, path...)
			}
			return strings.Join(path, " -> ")
		}
		if p := pkgs[cur]; p != nil {
			for _, imp := range p.Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = cur
					queue = append(queue, imp)
				}
			}
		}
	}
	return fmt.Sprintf("%s -> ? -> %s", from, to)
}

// TestPolicyPatterns keeps the table honest: every rule covers a real
// package or a layer DESIGN.md names, and the matcher works as documented.
func TestPolicyPatterns(t *testing.T) {
	require.True(t, match("devices/...", "devices"))
	require.True(t, match("devices/...", "devices/pic"))
	require.False(t, match("devices/...", "devicesx/pic"))
	require.False(t, match("mmu", "mmu/shadow"))
	require.True(t, match("...", "anything/at/all"))
	require.Equal(t, []string{"mmu/shadow"}, ruleFor("mmu/shadow").pkgs)
	require.Equal(t, []string{"dbt/internal/..."}, ruleFor("dbt/internal/x86").pkgs)
	require.Nil(t, ruleFor("newthing"))
}

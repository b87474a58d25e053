package singlestep

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Metadata is metadata.json of a SingleStepTests CPU set:
//
//	{"github": ..., "version": "1.0.0", "syntax_version": 2, "cpu": "286",
//	 "cpu_detail": ..., "generator": ..., "author": ..., "date": ...,
//	 "opcodes": {
//	   "00": {"status": "normal", "arch": "86"},
//	   "08": {"status": "normal", "arch": "86", "flags": ".....a..", "flags-mask": 65519},
//	   "80": {"reg": {"0": {"status": "normal", "arch": "86"}, ...}},
//	   "0F01": {"reg": {...}}, ...}}
//
// A group opcode has no status of its own, only a "reg" map keyed by the
// ModRM reg field ("0".."7"); its files are named XX.R.MOO.gz (or XX.MOO.gz
// with every reg value mixed, as 8F, C6 and C7 are in the 286 set).
type Metadata struct {
	GitHub        string
	Version       string
	SyntaxVersion int
	CPU           string
	CPUDetail     string
	Generator     string
	Author        string
	Date          string
	Opcodes       map[string]OpcodeInfo // keyed by upper-case hex ("0F", "80", "0F01")
}

// OpcodeInfo is one entry of Metadata.Opcodes (or of its Reg map).
type OpcodeInfo struct {
	// Status is "normal", "alias", "undocumented", "undefined", "prefix",
	// "fpu" or "extension" ("" for a group opcode's top level).
	Status string
	// Arch is the first CPU with the instruction: "86", "186", "286", "v30".
	Arch string
	// Flags marks the undefined flags in "odiszapc" order, '.' for defined
	// ones, e.g. "o....a.c"; "" when all flags are defined.
	Flags string
	// FlagsMask is ANDed into expected and actual FLAGS: its clear bits are
	// the undefined flags. 0xFFFF when the entry gives none.
	FlagsMask uint16
	// Reg holds the per-ModRM.reg entries of a group opcode, keyed "0".."7".
	Reg map[string]OpcodeInfo
}

type opcodeJSON struct {
	Status    string                `json:"status"`
	Arch      string                `json:"arch"`
	Flags     string                `json:"flags"`
	FlagsMask *uint16               `json:"flags-mask"`
	Reg       map[string]opcodeJSON `json:"reg"`
}

func (o opcodeJSON) info() OpcodeInfo {
	in := OpcodeInfo{Status: o.Status, Arch: o.Arch, Flags: o.Flags, FlagsMask: 0xFFFF}
	if o.FlagsMask != nil {
		in.FlagsMask = *o.FlagsMask
	}
	if len(o.Reg) > 0 {
		in.Reg = make(map[string]OpcodeInfo, len(o.Reg))
		for k, v := range o.Reg {
			in.Reg[k] = v.info()
		}
	}
	return in
}

// ReadMetadata reads and parses a metadata.json file.
func ReadMetadata(path string) (*Metadata, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMetadata(data)
}

// ParseMetadata parses metadata.json.
func ParseMetadata(data []byte) (*Metadata, error) {
	var raw struct {
		GitHub        string                `json:"github"`
		Version       string                `json:"version"`
		SyntaxVersion int                   `json:"syntax_version"`
		CPU           string                `json:"cpu"`
		CPUDetail     string                `json:"cpu_detail"`
		Generator     string                `json:"generator"`
		Author        string                `json:"author"`
		Date          string                `json:"date"`
		Opcodes       map[string]opcodeJSON `json:"opcodes"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	m := &Metadata{
		GitHub: raw.GitHub, Version: raw.Version, SyntaxVersion: raw.SyntaxVersion,
		CPU: raw.CPU, CPUDetail: raw.CPUDetail, Generator: raw.Generator,
		Author: raw.Author, Date: raw.Date,
		Opcodes: make(map[string]OpcodeInfo, len(raw.Opcodes)),
	}
	for k, v := range raw.Opcodes {
		m.Opcodes[strings.ToUpper(k)] = v.info()
	}
	return m, nil
}

// Lookup returns the entry for a file stem ("00", "80.1", "0F01.4") and
// ModRM reg field. reg is used only when the stem names no reg but the
// opcode is a group (as 8F.MOO.gz is); pass -1 when unknown. The second
// result is false when metadata has no entry; FlagsMask is then 0xFFFF.
func (m *Metadata) Lookup(stem string, reg int) (OpcodeInfo, bool) {
	none := OpcodeInfo{FlagsMask: 0xFFFF}
	if m == nil {
		return none, false
	}
	op, sub, hasSub := strings.Cut(strings.ToUpper(stem), ".")
	top, ok := m.Opcodes[op]
	if !ok {
		return none, false
	}
	if !hasSub && reg >= 0 && len(top.Reg) > 0 {
		sub, hasSub = strconv.Itoa(reg), true
	}
	if !hasSub {
		return top, true
	}
	e, ok := top.Reg[sub]
	if !ok {
		return none, false
	}
	return e, true
}

// Revocations is the set of revoked test hashes (lower-case hex SHA-1).
type Revocations map[string]struct{}

// Revoked reports whether t is on the list.
func (r Revocations) Revoked(t *Test) bool {
	if len(r) == 0 || !t.HasHash {
		return false
	}
	_, ok := r[t.HashString()]
	return ok
}

// ReadRevocations reads revocation_list.txt.
func ReadRevocations(path string) (Revocations, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseRevocations(data)
}

// ParseRevocations parses a revocation list: one hex SHA-1 per line; blank
// lines and '#' comments are ignored.
func ParseRevocations(data []byte) (Revocations, error) {
	r := Revocations{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if b, err := hex.DecodeString(s); err != nil || len(b) != 20 {
			return nil, fmt.Errorf("revocation list: line %d: %q is not a hex SHA-1", line, s)
		}
		r[s] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	return r, nil
}

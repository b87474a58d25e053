package pci

import (
	"errors"
	"fmt"
)

// FunctionImage is the state of one function of bus 0 in a BusState.
type FunctionImage struct {
	Slot, Fn int
	Config   [256]uint8
	// Routing is the interrupt routing state of a PIIX3 ISA bridge.
	Routing *PIIX3State `json:",omitempty"`
}

// BusState is the guest-visible state of the host and of every function
// on bus 0 that keeps its state in a Function (all of bt86's do), as
// plain values, for snapshots.
type BusState struct {
	Host      HostState
	Functions []FunctionImage
}

// stateful is a Device whose state a BusState holds.
type stateful interface {
	State() FunctionState
	SetState(FunctionState)
}

// BusState returns the state of the host and its functions, in slot and
// function order.
func (h *Host) BusState() BusState {
	s := BusState{Host: h.s}
	for slot := range h.devs {
		for fn, d := range h.devs[slot] {
			f, ok := d.(stateful)
			if !ok {
				continue
			}
			img := FunctionImage{Slot: slot, Fn: fn, Config: f.State().Config}
			if p, ok := d.(*PIIX3); ok {
				rs := p.RoutingState()
				img.Routing = &rs
			}
			s.Functions = append(s.Functions, img)
		}
	}
	return s
}

// SetBusState restores a state taken by BusState on a bus with the same
// functions: each image must name a populated slot whose function has
// the same vendor and device ID, and every function must have an image.
// Nothing changes when s does not fit. Like the functions' SetState, it
// reports changed mappings (and PAM changes) but drives no IRQ line.
func (h *Host) SetBusState(s BusState) error {
	if len(s.Functions) > len(h.devs)*len(h.devs[0]) {
		return errors.New("pci: more function images than bus 0 has functions")
	}
	seen := make(map[[2]int]bool)
	for _, img := range s.Functions {
		if img.Slot < 0 || img.Slot >= len(h.devs) || img.Fn < 0 || img.Fn >= len(h.devs[0]) {
			return fmt.Errorf("pci: function image for bad address %d.%d", img.Slot, img.Fn)
		}
		at := [2]int{img.Slot, img.Fn}
		if seen[at] {
			return fmt.Errorf("pci: two images for 00:%02x.%d", img.Slot, img.Fn)
		}
		seen[at] = true
		f, ok := h.devs[img.Slot][img.Fn].(stateful)
		if !ok {
			return fmt.Errorf("pci: image for 00:%02x.%d, which this machine does not have", img.Slot, img.Fn)
		}
		if cur := f.State().Config; [4]uint8(cur[:4]) != [4]uint8(img.Config[:4]) {
			return fmt.Errorf("pci: 00:%02x.%d is %02x%02x:%02x%02x here, the image is of %02x%02x:%02x%02x",
				img.Slot, img.Fn, cur[1], cur[0], cur[3], cur[2], img.Config[1], img.Config[0], img.Config[3], img.Config[2])
		}
		_, piix := h.devs[img.Slot][img.Fn].(*PIIX3)
		if piix != (img.Routing != nil) {
			return fmt.Errorf("pci: 00:%02x.%d: interrupt routing state missing or unexpected", img.Slot, img.Fn)
		}
	}
	for slot := range h.devs {
		for fn, d := range h.devs[slot] {
			if _, ok := d.(stateful); ok && !seen[[2]int{slot, fn}] {
				return fmt.Errorf("pci: no image for 00:%02x.%d", slot, fn)
			}
		}
	}
	h.s = s.Host
	for _, img := range s.Functions {
		d := h.devs[img.Slot][img.Fn]
		d.(stateful).SetState(FunctionState{Config: img.Config})
		if p, ok := d.(*PIIX3); ok {
			p.SetRoutingState(*img.Routing)
		}
	}
	return nil
}

// Function returns the function at slot, fn of bus 0, or nil.
func (h *Host) Function(slot, fn int) Device { return h.lookup(0, slot, fn) }

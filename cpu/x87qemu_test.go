package cpu

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

// TestX87DifferentialQEMU runs random x87 operations (random operands of
// every class and random precision and rounding control, all exceptions
// masked) on QEMU and on bt86 and compares the results and status words.
// It needs nasm and qemu-system-i386 and runs only with BT86_QEMU=1
// (BT86_QEMU_SEED and BT86_QEMU_N choose the vectors).
//
// Known QEMU 7.2 deviations are not reported: it applies precision
// control to FPREM/FPREM1/FRNDINT/FSCALE and to FST m32/m64, does not
// report C1 (round-up) nor FPREM1's quotient bits nor DE for m32/m64
// loads, sets C2 on an invalid FSQRT, returns the indefinite for
// F2XM1(±inf) and FYL2XP1(+inf) (outside the architectural domain), picks
// the NaN of FYL2X/FYL2XP1/FPATAN by position rather than by the larger
// significand, is off by a factor of two for a denormal ST(1) in
// FYL2X/FYL2XP1, and is sometimes one ulp off in the transcendentals
// (bt86 rounds them correctly: the cases checked with mpmath agree).
func TestX87DifferentialQEMU(t *testing.T) {
	if os.Getenv("BT86_QEMU") == "" {
		t.Skip("set BT86_QEMU=1 (needs nasm and qemu-system-i386)")
	}
	nasm, err := exec.LookPath("nasm")
	require.NoError(t, err)
	qemu, err := exec.LookPath("qemu-system-i386")
	require.NoError(t, err)
	seed, n := int64(1), 1500
	fmt.Sscan(os.Getenv("BT86_QEMU_SEED"), &seed)
	fmt.Sscan(os.Getenv("BT86_QEMU_N"), &n)

	dir := t.TempDir()
	recs := x87DiffVectors(rand.New(rand.NewSource(seed)), n)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data.bin"), recs, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "diff.asm"), []byte(x87DiffProgram), 0o644))
	run := func(args ...string) {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		require.NoError(t, err, "%v: %s", args, out)
	}
	bin := filepath.Join(dir, "diff.bin")
	run(nasm, "-f", "bin", "-i", dir+"/", "-o", bin, filepath.Join(dir, "diff.asm"))
	boot, err := filepath.Abs("../testsuite/guest/boot.asm")
	require.NoError(t, err)
	run(nasm, "-f", "bin", "-DSECTORS=96", "-o", filepath.Join(dir, "boot.bin"), boot)

	// QEMU: boot sector + program on an IDE disk.
	prog, err := os.ReadFile(bin)
	require.NoError(t, err)
	bootBin, err := os.ReadFile(filepath.Join(dir, "boot.bin"))
	require.NoError(t, err)
	img := make([]byte, 1<<20)
	copy(img, bootBin)
	copy(img[len(bootBin):], prog)
	imgPath := filepath.Join(dir, "img")
	require.NoError(t, os.WriteFile(imgPath, img, 0o644))
	qout := filepath.Join(dir, "qemu.out")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = exec.CommandContext(ctx, qemu, "-accel", "tcg", "-m", "32", "-display", "none",
		"-drive", "format=raw,file="+imgPath+",if=ide",
		"-device", "isa-debugcon,iobase=0xe9,chardev=dbg", "-chardev", "file,id=dbg,path="+qout,
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-no-reboot", "-serial", "none", "-parallel", "none", "-monitor", "none").Run()
	q, err := os.ReadFile(qout)
	require.NoError(t, err)

	// bt86: the program alone, under the guest-test contract.
	ours := runX87Guest(t, prog)
	ql, ol := strings.Split(string(q), "\n"), strings.Split(ours, "\n")
	require.Equal(t, n+1, len(ql), "QEMU output")
	require.Equal(t, n+1, len(ol), "bt86 output")
	names := []string{"fadd", "fsub", "fmul", "fdiv", "fsqrt", "fprem", "fprem1", "fscale", "frndint",
		"f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fst64", "fst32", "fist64", "fxtract"}
	bad := 0
	for i := 0; i < n; i++ {
		r := recs[i*23 : (i+1)*23]
		name := names[r[0]/2]
		cw := binary.LittleEndian.Uint16(r[1:])
		b := Float80{Mant: binary.LittleEndian.Uint64(r[13:]), SExp: binary.LittleEndian.Uint16(r[21:])}
		if (cw>>8)&3 != 3 && strings.Contains("fprem fprem1 frndint fst64 fst32 fscale", name) {
			continue
		}
		a := Float80{Mant: binary.LittleEndian.Uint64(r[3:]), SExp: binary.LittleEndian.Uint16(r[11:])}
		trans := strings.Contains("f2xm1 fyl2x fyl2xp1 fpatan", name)
		switch {
		case (name == "f2xm1" || name == "fyl2xp1") && classify(b) == clsInf,
			trans && isNaN(classify(a)) && isNaN(classify(b)),
			(name == "fyl2x" || name == "fyl2xp1") && classify(a) == clsDenormal:
			continue
		}
		mask := uint64(0x453D) // exceptions and C0 C2 C3, not C1
		switch name {
		case "fsqrt":
			mask &^= 0x400
		case "fprem1":
			mask &^= 0x4300
		case "fst64", "fst32":
			mask &^= 2
		}
		var qsw, osw uint64
		fmt.Sscanf(ql[i][:4], "%x", &qsw)
		fmt.Sscanf(ol[i][:4], "%x", &osw)
		var qm, om uint64
		fmt.Sscanf(ql[i][8:], "%x", &qm)
		fmt.Sscanf(ol[i][8:], "%x", &om)
		if trans && ql[i][4:8] == ol[i][4:8] && (qm-om == 1 || om-qm == 1) {
			continue // QEMU's are not always correctly rounded
		}
		if ql[i][4:] != ol[i][4:] || qsw&mask != osw&mask {
			bad++
			if bad <= 20 {
				t.Errorf("%s cw=%04X a=%X b=%X: qemu %s, bt86 %s", name, cw, r[3:13], r[13:23], ql[i], ol[i])
			}
		}
	}
	t.Logf("%d vectors, %d differences", n, bad)
}

// x87DiffVectors returns n records: op×2, CW, a (m80), b (m80).
func x87DiffVectors(rng *rand.Rand, n int) []byte {
	var out []byte
	for i := 0; i < n; i++ {
		op := rng.Intn(17)
		cw := uint16(0x7F) | []uint16{0, 2, 3}[rng.Intn(3)]<<8 | uint16(rng.Intn(4))<<10
		a, b := randOperand(rng, 0), randOperand(rng, map[int]int{9: 1, 11: 2}[op])
		if op == 10 && rng.Intn(4) != 0 {
			b.SExp &^= 0x8000 // mostly positive logarithm arguments
		}
		if op == 7 { // a modest scale
			a = Float80{Mant: intBit | rng.Uint64()>>1, SExp: uint16(bias80+rng.Intn(15)) | uint16(rng.Intn(2))<<15}
		}
		out = append(out, byte(op*2))
		out = binary.LittleEndian.AppendUint16(out, cw)
		for _, v := range []Float80{a, b} {
			out = binary.LittleEndian.AppendUint64(out, v.Mant)
			out = binary.LittleEndian.AppendUint16(out, v.SExp)
		}
	}
	return append(out, 0xFF)
}

// randOperand: any class (kind 0), or |x| < 1 (kind 1), or |x| < 1/4
// (kind 2), with zeros, infinities and NaNs now and then.
func randOperand(rng *rand.Rand, kind int) Float80 {
	v := randFinite(rng)
	if kind != 0 {
		v.SExp = v.SExp&0x8000 | uint16(bias80-1-2*(kind-1)-rng.Intn(40))
		v.Mant |= intBit
	}
	switch rng.Intn(40) {
	case 0:
		v = zero80(v.neg())
	case 1:
		v = infinity(v.neg())
	case 2:
		v = Float80{Mant: 0xC000000000000000 | rng.Uint64()>>3, SExp: v.SExp | 0x7FFF}
	}
	return v
}

// runX87Guest runs a program under the guest-test contract (loaded at
// 0x10000, real mode at 1000:0000, console on port 0xE9, exit on 0xF4)
// and returns the console output.
func runX87Guest(t *testing.T, prog []byte) string {
	ram := make([]byte, 32<<20)
	con := &x87Console{}
	c := New(Config{Phys: mmu.NewFlat(ram, bus.New()), Ports: con})
	con.c = c
	copy(ram[0x10000:], prog)
	c.SetSegmentReal(CS, 0x1000)
	c.EIP = 0
	c.StateChanged()
	for i := 0; i < 100 && !con.done; i++ {
		if e := c.Run(1_000_000); e.Reason == ExitShutdown || e.Reason == ExitHalt {
			break
		}
	}
	require.True(t, con.done, "program did not exit")
	return con.out.String()
}

type x87Console struct {
	out  bytes.Buffer
	done bool
	c    *CPU
}

func (x *x87Console) In(port uint16, size uint8) uint32 { return 0xFFFFFFFF }

func (x *x87Console) Out(port uint16, size uint8, v uint32) {
	switch port {
	case 0xE9:
		x.out.WriteByte(byte(v))
	case 0xF4:
		x.done = true
		x.c.Stop()
	}
}

// x87DiffProgram loads ST(1) = a, ST(0) = b, runs the operation and prints
// the status word and ST(0) in hex, one line per record.
const x87DiffProgram = `
        bits 16
        org 0
start:  cli
        mov ax, 0x1000
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0xFFF0
        mov eax, cr0
        and eax, ~(4|8)
        or eax, 0x22
        mov cr0, eax
        mov si, data
.next:  cmp byte [si], 0xFF
        je .done
        fninit
        fldcw [si+1]
        fld tword [si+3]
        fld tword [si+13]
        movzx bx, byte [si]
        call [optab+bx]
        fnstsw [res+10]
        fstp tword [res]
        mov di, res+11
        mov cx, 12
.p:     mov al, [di]
        call hex8
        dec di
        loop .p
        mov al, 10
        out 0xE9, al
        add si, 23
        jmp .next
.done:  mov al, 0
        out 0xF4, al
.h:     hlt
        jmp .h
hex8:   push ax
        shr al, 4
        call hex4
        pop ax
hex4:   and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 7
.o:     out 0xE9, al
        ret
optab:  dw op0, op1, op2, op3, op4, op5, op6, op7, op8, op9, op10, op11, op12, op13, op14, op15, op16
op0:    fadd st0, st1
        ret
op1:    fsub st0, st1
        ret
op2:    fmul st0, st1
        ret
op3:    fdiv st0, st1
        ret
op4:    fsqrt
        ret
op5:    fprem
        ret
op6:    fprem1
        ret
op7:    fxch
        fscale
        ret
op8:    frndint
        ret
op9:    f2xm1
        ret
op10:   fyl2x
        ret
op11:   fyl2xp1
        ret
op12:   fpatan
        ret
op13:   fstp qword [tmp]
        fld qword [tmp]
        ret
op14:   fstp dword [tmp]
        fld dword [tmp]
        ret
op15:   fistp qword [tmp]
        fild qword [tmp]
        ret
op16:   fxtract
        ret
        align 16
res:    times 16 db 0
tmp:    times 16 db 0
data:   incbin "data.bin"
`

; x87.asm - the x87 FPU with exact bit patterns:
;   FNINIT state, raw FLD/FSTP m80 of every encoding class, m32/m64 loads
;   and stores (SNaN quieting, denormals, rounding, overflow), FILD/FIST/FISTP
;   m16/m32/m64 in all four rounding modes and integer indefinite, FBLD/FBSTP,
;   the arithmetic forms (register, reversed, popping, memory, integer),
;   precision control, FCOM/FUCOM/FCOMI/FUCOMI/FTST/FXAM, FSQRT, FABS/FCHS,
;   FPREM/FPREM1, FRNDINT, FSCALE, FXTRACT, the constants under each rounding
;   mode, stack overflow/underflow, divide by zero (masked, and unmasked ->
;   #MF on the next WAIT), FXCH/FINCSTP/FDECSTP/FFREE/FCMOVcc, exact
;   transcendental cases, FSAVE/FRSTOR/FNSTENV/FLDENV layouts (16-bit real
;   mode, 16-bit and 32-bit protected mode), FXSAVE/FXRSTOR, and #NM with
;   CR0.EM / CR0.TS+MP.
;
;   nasm -f bin -o x87.bin x87.asm
%include "lib.inc"

; ---------------------------------------------------------------------------
; helpers
; ---------------------------------------------------------------------------
; CHK80 name, sign_exp, mantissa: FSTP m80 and compare with the pattern
%macro CHK80 3
        fstp tword [t80]
        jmp %%s
%%e:    dq %3
        dw %2
%%s:    CHECKMEM %1, t80, %%e, 10
%endmacro
; LD80 sign_exp, mantissa: FLD m80 of an inline pattern
%macro LD80 2
        jmp %%s
%%v:    dq %2
        dw %1
%%s:    fld tword [%%v]
%endmacro
; CHKSW name, mask, value: FNSTSW AX, mask, compare
%macro CHKSW 3
        fnstsw ax
        movzx eax, ax
        and eax, %2
        CHECK {%1}, eax, %3
%endmacro
%macro CHKSWQ 3
        fnstsw ax
        movzx eax, ax
        and eax, %2
        CHECKQ {%1}, eax, %3
%endmacro
%macro CHK80Q 3
        fstp tword [t80]
        jmp %%s
%%e:    dq %3
        dw %2
%%s:    CHECKMEMQ %1, t80, %%e, 10
%endmacro
; SETRC rc: FLDCW with all exceptions masked and rounding control rc
%macro SETRC 1
        mov word [cwtmp], 0x037F | ((%1) << 10)
        fldcw [cwtmp]
%endmacro
; FIRT name, rc, double, expected: FISTP m32 of a double under RC
%macro FIRT 4
        fninit
        SETRC %2
        fld qword [%3]
        fistp dword [i32]
        CHECK %1, [i32], %4
%endmacro
; TOPIS name, top
%macro TOPIS 2
        CHKSW %1, 0x3800, (%2) << 11
%endmacro

        bits 16
main:
        ; CR0: MP=1, NE=1, EM=0, TS=0
        mov eax, cr0
        and eax, ~(4 | 8)
        or eax, 2 | 0x20
        mov cr0, eax
        fninit

        ; ---- 16-bit real-mode FNSAVE / FNSTENV layout ---------------------------
        SETRC 2
        fld1
.rm_fld:
        fld tword [pi80]
        fnsave [sav]
        CHECK "rm-fsave-cw", [sav+0], 0x0B7F | (0x3000 << 16)   ; CW, SW(TOP=6)
        movzx eax, word [sav+4]
        CHECK "rm-fsave-tw", eax, 0x0FFF
        CHECKMEM "rm-fsave-st0-at-14", sav+14, pi80, 10
        CHECKMEM "rm-fsave-st1-at-24", sav+24, one80, 10
        movzx eax, word [sav+6]
        CHECKQ "rm-fsave-fip-linear", eax, (PROG_BASE + .rm_fld - $$) & 0xFFFF
        movzx eax, word [sav+8]
        CHECKQ "rm-fsave-fip-hi-fop", eax, (((PROG_BASE + .rm_fld - $$) >> 16) << 12) | 0x32E
        movzx eax, word [sav+10]
        CHECKQ "rm-fsave-fdp-linear", eax, (PROG_BASE + pi80 - $$) & 0xFFFF
        movzx eax, word [sav+12]
        CHECKQ "rm-fsave-fdp-hi", eax, ((PROG_BASE + pi80 - $$) >> 16) << 12
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "rm-fsave-reinits", eax, 0x037F
        frstor [sav]
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "rm-frstor-cw", eax, 0x0B7F
        fnstenv [env]
        CHECK "rm-fstenv-cw-sw", [env+0], 0x0B7F | (0x3000 << 16)
        movzx eax, word [env+4]
        CHECK "rm-fstenv-tw", eax, 0x0FFF
        CHK80 "rm-frstor-st0", 0x4000, 0xC90FDAA22168C235
        CHK80 "rm-frstor-st1", 0x3FFF, 0x8000000000000000

        ENTER_PM32
        call idt_init32

        ; ---- FNINIT --------------------------------------------------------------
        mov word [cwtmp], 0
        fninit
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "fninit-cw", eax, 0x037F
        CHKSW "fninit-sw", 0xFFFF, 0
        mov dword [env+8], 0
        fnstenv [env]
        movzx eax, word [env+8]
        CHECK "fninit-tw-empty", eax, 0xFFFF
        mov word [i16], 0x5555
        fnstsw [i16]
        movzx eax, word [i16]
        CHECK "fnstsw-mem", eax, 0

        ; ---- raw m80 round trips ---------------------------------------------------
%macro RT80 3
        LD80 %2, %3
        CHK80 %1, %2, %3
%endmacro
        fninit
        RT80 "m80-one", 0x3FFF, 0x8000000000000000
        RT80 "m80-neg", 0xC000, 0xC000000000000000
        RT80 "m80-denormal", 0x0000, 0x0000000000000001
        RT80 "m80-pseudo-denormal", 0x0000, 0x8000000000000000
        RT80 "m80-pos-inf", 0x7FFF, 0x8000000000000000
        RT80 "m80-neg-inf", 0xFFFF, 0x8000000000000000
        RT80 "m80-qnan", 0x7FFF, 0xC000000000000001
        RT80 "m80-snan", 0x7FFF, 0x8000000000000001
        RT80 "m80-neg-zero", 0x8000, 0x0000000000000000
        RT80 "m80-max", 0x7FFE, 0xFFFFFFFFFFFFFFFF
        CHKSW "m80-raw-no-exceptions", 0x3F, 0

        ; ---- m32 / m64 conversions -----------------------------------------------------
        fninit
        fld qword [snan64]
        CHK80 "m64-snan-quieted", 0x7FFF, 0xC000000000000800
        CHKSW "m64-snan-ie", 0x3F, 0x01
        fninit
        fld qword [denorm64]
        CHK80 "m64-denormal-normalized", 0x3BCD, 0x8000000000000000
        CHKSWQ "m64-denormal-de", 0x3F, 0x02
        fninit
        fld dword [f32_1_5]
        CHK80 "m32-load", 0x3FFF, 0xC000000000000000
        fld qword [negzero64]
        CHK80 "m64-neg-zero", 0x8000, 0
        LD80 0x3FFF, 0x8000008000000000     ; 1 + 2^-24
        fst dword [i32]
        CHECK "m32-store-ties-even", [i32], 0x3F800000
        CHKSW "m32-store-pe", 0x3F, 0x20
        fstp qword [i64]
        CHECK "m64-store-exact-lo", [i64], 0x10000000
        CHECK "m64-store-exact-hi", [i64+4], 0x3FF00000
        fninit
        LD80 0x3FFF, 0x8000018000000000     ; 1 + 3*2^-24
        fstp dword [i32]
        CHECK "m32-store-ties-even-up", [i32], 0x3F800002
        fninit
        fld qword [big64]
        fstp dword [i32]
        CHECK "m32-store-overflow-inf", [i32], 0x7F800000
        CHKSW "m32-store-overflow-flags", 0x3F, 0x28
        fninit
        fld qword [tiny64]
        fstp dword [i32]
        CHECK "m32-store-underflow-zero", [i32], 0
        CHKSW "m32-store-underflow-flags", 0x3F, 0x30
        fninit
        SETRC 1
        fld qword [tiny64]
        fchs
        fstp dword [i32]
        CHECK "m32-store-underflow-down", [i32], 0x80000001

        ; ---- integers ---------------------------------------------------------------------
        fninit
        mov word [i16], -1
        fild word [i16]
        CHK80 "fild16-minus1", 0xBFFF, 0x8000000000000000
        mov dword [i32], 0x80000000
        fild dword [i32]
        CHK80 "fild32-min", 0xC01E, 0x8000000000000000
        mov dword [i64], 0xFFFFFFFF
        mov dword [i64+4], 0x7FFFFFFF
        fild qword [i64]
        CHK80 "fild64-max", 0x403D, 0xFFFFFFFFFFFFFFFE
        mov word [i16], 0
        fild word [i16]
        CHK80 "fild16-zero", 0x0000, 0
        FIRT "fist-n-2.5", 0, d_2_5, 2
        FIRT "fist-n-m2.5", 0, d_m2_5, -2
        FIRT "fist-n-3.5", 0, d_3_5, 4
        FIRT "fist-n-1.75", 0, d_1_75, 2
        FIRT "fist-n-m1.75", 0, d_m1_75, -2
        FIRT "fist-d-2.5", 1, d_2_5, 2
        FIRT "fist-d-m2.5", 1, d_m2_5, -3
        FIRT "fist-d-3.5", 1, d_3_5, 3
        FIRT "fist-d-1.75", 1, d_1_75, 1
        FIRT "fist-d-m1.75", 1, d_m1_75, -2
        FIRT "fist-u-2.5", 2, d_2_5, 3
        FIRT "fist-u-m2.5", 2, d_m2_5, -2
        FIRT "fist-u-3.5", 2, d_3_5, 4
        FIRT "fist-u-1.75", 2, d_1_75, 2
        FIRT "fist-u-m1.75", 2, d_m1_75, -1
        FIRT "fist-c-2.5", 3, d_2_5, 2
        FIRT "fist-c-m2.5", 3, d_m2_5, -2
        FIRT "fist-c-3.5", 3, d_3_5, 3
        FIRT "fist-c-1.75", 3, d_1_75, 1
        FIRT "fist-c-m1.75", 3, d_m1_75, -1
        fninit
        fld qword [d_m2_5]
        mov word [i16], 0x5555
        fist word [i16]
        movzx eax, word [i16]
        CHECK "fist16", eax, 0xFFFE
        mov dword [i64], 0
        mov dword [i64+4], 0
        fistp qword [i64]
        CHECK "fistp64-lo", [i64], 0xFFFFFFFE
        CHECK "fistp64-hi", [i64+4], 0xFFFFFFFF
        TOPIS "fist-nopop-fistp-pop", 0
        fninit
        fld qword [d_40000]
        fistp word [i16]
        movzx eax, word [i16]
        CHECK "fistp16-overflow-indefinite", eax, 0x8000
        CHKSW "fistp16-overflow-ie", 0x3F, 0x01
        fninit
        fld qword [d_3e9]
        fistp dword [i32]
        CHECK "fistp32-overflow-indefinite", [i32], 0x80000000
        fninit
        fld qword [d_2p63]
        fistp qword [i64]
        CHECK "fistp64-overflow-lo", [i64], 0
        CHECK "fistp64-overflow-hi", [i64+4], 0x80000000
        fninit
        mov word [i16], -32768
        fild word [i16]
        fistp word [i16]
        movzx eax, word [i16]
        CHECK "fistp16-min-exact", eax, 0x8000
        CHKSW "fistp16-min-no-ie", 0x3F, 0
        fninit
        LD80 0x7FFF, 0xC000000000000000
        fistp dword [i32]
        CHECK "fistp32-nan-indefinite", [i32], 0x80000000
        CHKSW "fistp32-nan-ie", 0x01, 0x01

        ; ---- packed BCD ---------------------------------------------------------------
        fninit
        fbld [bcd1]
        fistp qword [i64]
        CHECK "fbld", [i64], 1234567890
        fbld [bcd_max]
        fistp qword [i64]
        CHECK "fbld-max-lo", [i64], 0xA763FFFF
        CHECK "fbld-max-hi", [i64+4], 0x0DE0B6B3
        fbld [bcd_neg]
        fistp dword [i32]
        CHECK "fbld-negative", [i32], -4321
        mov dword [i32], -987654321
        fild dword [i32]
        fbstp [t80]
        CHECKMEM "fbstp-negative", t80, bcd_m987, 10
        fld qword [d_2_5]
        fbstp [t80]
        CHECKMEM "fbstp-round-even", t80, bcd_2, 10
        SETRC 2
        fld qword [d_2_5]
        fbstp [t80]
        CHECKMEM "fbstp-round-up", t80, bcd_3, 10
        fninit
        fld qword [d_1e18]
        fbstp [t80]
        CHECKMEM "fbstp-overflow-indefinite", t80, bcd_indef, 10
        CHKSW "fbstp-overflow-ie", 0x01, 0x01

        ; ---- arithmetic: ST0 = 1.5, ST1 = 2.25 --------------------------------------------
%macro AB 0
        fninit
        fld qword [d_2_25]
        fld qword [d_1_5]
%endmacro
        AB
        fadd st0, st1
        CHK80 "fadd-st0-st1", 0x4000, 0xF000000000000000
        AB
        fadd st1, st0
        fstp st0
        CHK80 "fadd-st1-st0", 0x4000, 0xF000000000000000
        AB
        faddp st1, st0
        TOPIS "faddp-pops", 7
        CHK80 "faddp", 0x4000, 0xF000000000000000
        AB
        fsub st0, st1
        CHK80 "fsub-st0-st1", 0xBFFE, 0xC000000000000000
        AB
        fsubr st0, st1
        CHK80 "fsubr-st0-st1", 0x3FFE, 0xC000000000000000
        AB
        fsub st1, st0
        fstp st0
        CHK80 "fsub-st1-st0", 0x3FFE, 0xC000000000000000
        AB
        fsubr st1, st0
        fstp st0
        CHK80 "fsubr-st1-st0", 0xBFFE, 0xC000000000000000
        AB
        fsubp st1, st0
        CHK80 "fsubp", 0x3FFE, 0xC000000000000000
        AB
        fsubrp st1, st0
        CHK80 "fsubrp", 0xBFFE, 0xC000000000000000
        AB
        fmul st0, st1
        CHK80 "fmul", 0x4000, 0xD800000000000000
        AB
        fmulp st1, st0
        CHK80 "fmulp", 0x4000, 0xD800000000000000
        AB
        fdiv st0, st1
        CHK80 "fdiv-2/3", 0x3FFE, 0xAAAAAAAAAAAAAAAB
        AB
        fdivr st0, st1
        CHK80 "fdivr", 0x3FFF, 0xC000000000000000
        AB
        fdivp st1, st0
        CHK80 "fdivp", 0x3FFF, 0xC000000000000000
        AB
        fdivrp st1, st0
        CHK80 "fdivrp", 0x3FFE, 0xAAAAAAAAAAAAAAAB
        AB
        fdiv st1, st0
        fstp st0
        CHK80 "fdiv-st1-st0", 0x3FFF, 0xC000000000000000
        ; memory and integer forms, ST0 = 1.5
        fninit
        fld qword [d_1_5]
        fadd dword [f32_2]
        CHK80 "fadd-m32", 0x4000, 0xE000000000000000
        fld qword [d_1_5]
        fsub qword [d_2_25]
        CHK80 "fsub-m64", 0xBFFE, 0xC000000000000000
        fld qword [d_1_5]
        fsubr qword [d_2_25]
        CHK80 "fsubr-m64", 0x3FFE, 0xC000000000000000
        fld qword [d_1_5]
        fmul dword [f32_2]
        CHK80 "fmul-m32", 0x4000, 0xC000000000000000
        fld qword [d_1_5]
        fdiv qword [d_2_25]
        CHK80 "fdiv-m64", 0x3FFE, 0xAAAAAAAAAAAAAAAB
        fld qword [d_1_5]
        fdivr qword [d_2_25]
        CHK80 "fdivr-m64", 0x3FFF, 0xC000000000000000
        mov word [i16], 3
        fld qword [d_1_5]
        fiadd word [i16]
        CHK80 "fiadd-m16", 0x4001, 0x9000000000000000
        mov dword [i32], -2
        fld qword [d_1_5]
        fisub dword [i32]
        CHK80 "fisub-m32", 0x4000, 0xE000000000000000
        mov word [i16], 4
        fld qword [d_1_5]
        fimul word [i16]
        CHK80 "fimul-m16", 0x4001, 0xC000000000000000
        mov dword [i32], 3
        fld qword [d_1_5]
        fidiv dword [i32]
        CHK80 "fidiv-m32", 0x3FFE, 0x8000000000000000
        fld qword [d_1_5]
        fidivr dword [i32]
        CHK80 "fidivr-m32", 0x4000, 0x8000000000000000
        CHKSW "exact-ops-no-pe", 0x3F, 0x20     ; only the 2/3 divisions were inexact
        ; 1/3 under precision and rounding control
%macro THIRD 3      ; name, control word, expected pattern (exp, mant)
        fninit
        mov word [cwtmp], %2
        fldcw [cwtmp]
        fld1
        fdiv qword [d_3]
        CHK80 %1, %3
%endmacro
        THIRD "third-pc64", 0x037F, {0x3FFD, 0xAAAAAAAAAAAAAAAB}
        THIRD "third-pc53", 0x027F, {0x3FFD, 0xAAAAAAAAAAAAA800}
        THIRD "third-pc24", 0x007F, {0x3FFD, 0xAAAAAB0000000000}
        THIRD "third-down", 0x077F, {0x3FFD, 0xAAAAAAAAAAAAAAAA}
        THIRD "third-up", 0x0B7F, {0x3FFD, 0xAAAAAAAAAAAAAAAB}
        THIRD "third-chop", 0x0F7F, {0x3FFD, 0xAAAAAAAAAAAAAAAA}
        THIRD "third-pc53-up", 0x0A7F, {0x3FFD, 0xAAAAAAAAAAAAB000}
        fninit
        fld1
        fdiv qword [d_3]
        fstp qword [i64]
        CHECK "third-m64-lo", [i64], 0x55555555
        CHECK "third-m64-hi", [i64+4], 0x3FD55555
        fninit
        fld1
        fchs
        SETRC 1
        fdiv qword [d_3]
        CHK80 "minus-third-down", 0xBFFD, 0xAAAAAAAAAAAAAAAB
        fninit
        fld1
        LD80 0x3FC3, 0x8000000000000000     ; 2^-60
        faddp st1, st0
        CHK80 "one-plus-2m60-pc64", 0x3FFF, 0x8000000000000008
        fninit
        mov word [cwtmp], 0x027F
        fldcw [cwtmp]
        fld1
        LD80 0x3FC3, 0x8000000000000000
        faddp st1, st0
        CHK80 "one-plus-2m60-pc53", 0x3FFF, 0x8000000000000000
        CHKSW "one-plus-2m60-pc53-pe", 0x3F, 0x20

        ; ---- compares ----------------------------------------------------------------------
%macro CMPAB 5      ; name, load st1 (double), load st0 (double), insn, expected C3C2C0
        fninit
        fld qword [%2]
        fld qword [%3]
        %4
        CHKSW %1, 0x4500, %5
%endmacro
        CMPAB "fcom-less", d_2_25, d_1_5, fcom st1, 0x0100
        CMPAB "fcom-greater", d_1_5, d_2_25, fcom st1, 0x0000
        CMPAB "fcom-equal", d_1_5, d_1_5, fcom st1, 0x4000
        CMPAB "fcom-unordered", qnan64, d_1_5, fcom st1, 0x4500
        CHKSW "fcom-qnan-ie", 0x01, 0x01
        CMPAB "fucom-unordered", qnan64, d_1_5, fucom st1, 0x4500
        CHKSW "fucom-qnan-no-ie", 0x01, 0x00
        fninit
        LD80 0x7FFF, 0x8000000000000001     ; SNaN
        fld qword [d_1_5]
        fucom st1
        CHKSW "fucom-snan-ie", 0x4501, 0x4501
        CMPAB "fcom-zero-signs", d_1_5, negzero64, {fcom qword [zero64]}, 0x4000
        CMPAB "fcom-m32", d_1_5, d_1_5, {fcom dword [f32_2]}, 0x0100
        CMPAB "fcomp-pops", d_1_5, d_1_5, fcomp st1, 0x4000
        TOPIS "fcomp-top", 7
        CMPAB "fcompp", d_1_5, d_2_25, fcompp, 0x0000
        TOPIS "fcompp-top", 0
        mov word [i16], 2
        CMPAB "ficom-m16", d_1_5, d_2_25, {ficom word [i16]}, 0x0000
%macro COMI 5       ; name, st1, st0, insn, expected ZF PF CF
        fninit
        fld qword [%2]
        fld qword [%3]
        push dword 0x8D5            ; OF SF AF set beforehand (and ZF PF CF)
        popfd
        %4
        pushfd
        pop eax
        push eax
        and eax, 0x45
        CHECK {%1}, eax, %5
        pop eax
        and eax, 0x890
        CHECKQ {%1, "-clears-of-sf-af"}, eax, 0
%endmacro
        COMI "fcomi-less", d_2_25, d_1_5, {fcomi st0, st1}, 0x01
        COMI "fcomi-greater", d_1_5, d_2_25, {fcomi st0, st1}, 0x00
        COMI "fcomi-equal", d_1_5, d_1_5, {fcomi st0, st1}, 0x40
        COMI "fcomi-unordered", qnan64, d_1_5, {fcomi st0, st1}, 0x45
        CHKSW "fcomi-qnan-ie", 0x01, 0x01
        COMI "fucomi-unordered", qnan64, d_1_5, {fucomi st0, st1}, 0x45
        CHKSW "fucomi-qnan-no-ie", 0x01, 0x00
        COMI "fcomip", d_1_5, d_2_25, {fcomip st0, st1}, 0x00
        TOPIS "fcomip-pops", 7
        COMI "fucomip", d_1_5, d_1_5, {fucomip st0, st1}, 0x40
        ; FNSTSW AX + SAHF
        fninit
        fld qword [d_2_25]
        fld qword [d_1_5]
        fcom st1
        fnstsw ax
        sahf
        setb al
        movzx eax, al
        CHECK "fnstsw-sahf-cf", eax, 1
        ; FTST / FXAM
%macro XAM 3        ; name, (exp, mant), expected C3 C2 C1 C0
        fninit
        LD80 %2
        fxam
        CHKSW %1, 0x4700, %3
%endmacro
        XAM "fxam-normal", {0x3FFF, 0xC000000000000000}, 0x0400
        XAM "fxam-neg-normal", {0xBFFF, 0xC000000000000000}, 0x0600
        XAM "fxam-zero", {0x0000, 0}, 0x4000
        XAM "fxam-neg-zero", {0x8000, 0}, 0x4200
        XAM "fxam-inf", {0x7FFF, 0x8000000000000000}, 0x0500
        XAM "fxam-neg-inf", {0xFFFF, 0x8000000000000000}, 0x0700
        XAM "fxam-nan", {0x7FFF, 0xC000000000000000}, 0x0100
        XAM "fxam-denormal", {0x0000, 0x0000000000000001}, 0x4400
        XAM "fxam-unsupported", {0x7FFF, 0x0000000000000000}, 0x0000
        fninit
        fxam
        CHKSW "fxam-empty", 0x4500, 0x4100
        fninit
        fld qword [d_m2_5]
        ftst
        CHKSW "ftst-negative", 0x4500, 0x0100
        fldz
        ftst
        CHKSW "ftst-zero", 0x4500, 0x4000
        fld1
        ftst
        CHKSW "ftst-positive", 0x4500, 0x0000

        ; ---- FSQRT, FABS, FCHS --------------------------------------------------------------------
        fninit
        fld qword [d_2]
        fsqrt
        CHK80 "fsqrt-2", 0x3FFF, 0xB504F333F9DE6484
        CHKSW "fsqrt-2-pe", 0x3F, 0x20
        fninit
        fld qword [d_2_25]
        fsqrt
        CHK80 "fsqrt-exact", 0x3FFF, 0xC000000000000000
        CHKSW "fsqrt-exact-no-pe", 0x3F, 0
        fld1
        fchs
        fsqrt
        CHK80 "fsqrt-negative-indefinite", 0xFFFF, 0xC000000000000000
        CHKSW "fsqrt-negative-ie", 0x3F, 0x01
        fninit
        fld qword [negzero64]
        fsqrt
        CHK80 "fsqrt-neg-zero", 0x8000, 0
        CHKSW "fsqrt-neg-zero-no-ie", 0x3F, 0
        fld qword [d_m2_5]
        fabs
        CHK80 "fabs", 0x4000, 0xA000000000000000
        fld qword [d_1_5]
        fchs
        CHK80 "fchs", 0xBFFF, 0xC000000000000000
        LD80 0x7FFF, 0xC000000000000001
        fchs
        CHK80 "fchs-nan-sign-only", 0xFFFF, 0xC000000000000001
        LD80 0xFFFF, 0x8000000000000000
        fabs
        CHK80 "fabs-inf", 0x7FFF, 0x8000000000000000
        CHKSW "fabs-fchs-no-exceptions", 0x3F, 0

        ; ---- FPREM / FPREM1 ----------------------------------------------------------------------
%macro PREM 5       ; name, dividend, divisor, insn, expected flags (C3 C2 C1 C0)
        fninit
        fld qword [%3]
        fld qword [%2]
        %4
        CHKSW {%1, "-flags"}, 0x4700, %5
%endmacro
%macro PREMQ 5      ; the same, flags are a known QEMU deviation
        fninit
        fld qword [%3]
        fld qword [%2]
        %4
        CHKSWQ {%1, "-flags"}, 0x4700, %5
%endmacro
        PREM "fprem-10-3", d_10, d_3, fprem, 0x4200
        CHK80 "fprem-10-3", 0x3FFF, 0x8000000000000000
        PREMQ "fprem1-10-3", d_10, d_3, fprem1, 0x4200
        CHK80 "fprem1-10-3", 0x3FFF, 0x8000000000000000
        PREM "fprem-11-3", d_11, d_3, fprem, 0x4200
        CHK80 "fprem-11-3", 0x4000, 0x8000000000000000
        PREMQ "fprem1-11-3", d_11, d_3, fprem1, 0x0100
        CHK80 "fprem1-11-3", 0xBFFF, 0x8000000000000000
        PREM "fprem-m10-3", d_m10, d_3, fprem, 0x4200
        CHK80 "fprem-m10-3", 0xBFFF, 0x8000000000000000
        fninit
        fld qword [d_3]
        LD80 0x4063, 0x8000000000000000     ; 2^100
        fprem
        CHKSW "fprem-partial-c2", 0x0400, 0x0400

        ; ---- FRNDINT, FSCALE, FXTRACT ---------------------------------------------------------------
        fninit
        fld qword [d_2_5]
        frndint
        CHK80 "frndint-nearest", 0x4000, 0x8000000000000000
        CHKSW "frndint-pe", 0x3F, 0x20
        SETRC 2
        fld qword [d_2_5]
        frndint
        CHK80 "frndint-up", 0x4000, 0xC000000000000000
        SETRC 1
        fld qword [d_m2_5]
        frndint
        CHK80 "frndint-down", 0xC000, 0xC000000000000000
        SETRC 3
        fld qword [d_m2_5]
        frndint
        CHK80 "frndint-chop", 0xC000, 0x8000000000000000
        fninit
        fld qword [d_8]
        frndint
        CHK80 "frndint-exact", 0x4002, 0x8000000000000000
        CHKSW "frndint-exact-no-pe", 0x3F, 0
        fninit
        fld qword [d_3]
        fld qword [d_1_5]
        fscale
        CHK80 "fscale-3", 0x4002, 0xC000000000000000
        fninit
        fld qword [d_m1_9]
        fld qword [d_1_5]
        fscale
        CHK80 "fscale-trunc-neg", 0x3FFE, 0xC000000000000000
        fninit
        fld qword [d_2_9]
        fld qword [d_1_5]
        fscale
        CHK80 "fscale-trunc-pos", 0x4001, 0xC000000000000000
        fninit
        fld qword [d_12]
        fxtract
        TOPIS "fxtract-pushes", 6
        CHK80 "fxtract-significand", 0x3FFF, 0xC000000000000000
        CHK80 "fxtract-exponent", 0x4000, 0xC000000000000000
        fninit
        fld qword [negzero64]
        fxtract
        CHK80 "fxtract-zero-significand", 0x8000, 0
        CHK80 "fxtract-zero-exponent", 0xFFFF, 0x8000000000000000
        CHKSW "fxtract-zero-ze", 0x3F, 0x04

        ; ---- constants ----------------------------------------------------------------------------
%macro KONST 4      ; name, rc, insn, (exp, mant)
        fninit
        SETRC %2
        %3
        CHK80 %1, %4
%endmacro
        KONST "fld1", 0, fld1, {0x3FFF, 0x8000000000000000}
        KONST "fldz", 0, fldz, {0x0000, 0}
        KONST "fldpi", 0, fldpi, {0x4000, 0xC90FDAA22168C235}
        KONST "fldpi-down", 1, fldpi, {0x4000, 0xC90FDAA22168C234}
        KONST "fldpi-up", 2, fldpi, {0x4000, 0xC90FDAA22168C235}
        KONST "fldpi-chop", 3, fldpi, {0x4000, 0xC90FDAA22168C234}
        KONST "fldl2e", 0, fldl2e, {0x3FFF, 0xB8AA3B295C17F0BC}
        KONST "fldl2e-down", 1, fldl2e, {0x3FFF, 0xB8AA3B295C17F0BB}
        KONST "fldl2t", 0, fldl2t, {0x4000, 0xD49A784BCD1B8AFE}
        KONST "fldl2t-up", 2, fldl2t, {0x4000, 0xD49A784BCD1B8AFF}
        KONST "fldlg2", 0, fldlg2, {0x3FFD, 0x9A209A84FBCFF799}
        KONST "fldlg2-down", 1, fldlg2, {0x3FFD, 0x9A209A84FBCFF798}
        KONST "fldln2", 0, fldln2, {0x3FFE, 0xB17217F7D1CF79AC}
        KONST "fldln2-chop", 3, fldln2, {0x3FFE, 0xB17217F7D1CF79AB}

        ; ---- stack faults, divide by zero ------------------------------------------------------------
        fninit
%rep 8
        fld1
%endrep
        CHKSW "eight-pushes-ok", 0x3F, 0
        fld1
        CHKSWQ "stack-overflow-flags", 0x02FF, 0x0241
        CHK80Q "stack-overflow-indefinite", 0xFFFF, 0xC000000000000000
        fninit
        fadd st0, st1
        CHKSWQ "stack-underflow-flags", 0x02FF, 0x0041
        CHK80Q "stack-underflow-indefinite", 0xFFFF, 0xC000000000000000
        fninit
        fstp tword [t80]
        CHECKMEMQ "fstp-empty-stores-indefinite", t80, indef80, 10
        fninit
        mov dword [i32], 0
        fistp dword [i32]
        CHECKQ "fistp-empty-integer-indefinite", [i32], 0x80000000
        fninit
        fld1
        fldz
        fdivp st1, st0
        CHK80 "div-by-zero-inf", 0x7FFF, 0x8000000000000000
        CHKSW "div-by-zero-ze", 0x3F, 0x04
        fninit
        fld1
        fchs
        fldz
        fdivp st1, st0
        CHK80 "div-by-zero-neg-inf", 0xFFFF, 0x8000000000000000
        fninit
        fld1
        fld qword [negzero64]
        fdivp st1, st0
        CHK80 "div-by-neg-zero", 0xFFFF, 0x8000000000000000
        fninit
        fldz
        fldz
        fdivp st1, st0
        CHK80 "zero-div-zero-indefinite", 0xFFFF, 0xC000000000000000
        CHKSW "zero-div-zero-ie", 0x3F, 0x01
        ; unmasked divide by zero: no result, #MF at the next waiting insn
        fninit
        mov word [cwtmp], 0x037B
        fldcw [cwtmp]
        fld1
        fldz
        fdiv st1, st0
        CHKSW "unmasked-ze-es-b", 0x80BF, 0x8084
        CATCH .mf
.mf_insn:
        fwait
        CAUGHT .mf
        CHECK "unmasked-ze-mf-vec", [exc_vec], 16
        CHECK "unmasked-ze-mf-eip", [exc_eip], .mf_insn
        fnclex
        fstp st0
        CHK80Q "unmasked-ze-dest-unchanged", 0x3FFF, 0x8000000000000000
        CHKSW "fnclex", 0x80FF, 0

        ; ---- stack manipulation ------------------------------------------------------------------------
        fninit
        fld1
        fldz
        fxch st1
        CHK80 "fxch-st0", 0x3FFF, 0x8000000000000000
        CHK80 "fxch-st1", 0x0000, 0
        fninit
        fld1
        fincstp
        TOPIS "fincstp", 0
        fdecstp
        TOPIS "fdecstp", 7
        CHK80 "fincstp-keeps-value", 0x3FFF, 0x8000000000000000
        fninit
        fld1
        ffree st0
        fxam
        CHKSW "ffree-empties", 0x4500, 0x4100
        TOPIS "ffree-keeps-top", 7
        fninit
        fld1
        fldz
        stc
        fcmovb st0, st1
        CHK80 "fcmovb-taken", 0x3FFF, 0x8000000000000000
        fninit
        fld1
        fldz
        clc
        fcmovb st0, st1
        CHK80 "fcmovb-not-taken", 0x0000, 0
        fninit
        fld1
        fldz
        xor eax, eax                ; ZF=1
        fcmovne st0, st1
        CHK80 "fcmovne-not-taken", 0x0000, 0

        ; ---- transcendental functions, exact cases ---------------------------------------------------
        fninit
        fldz
        fsin
        CHK80 "fsin-0", 0x0000, 0
        fldz
        fcos
        CHK80 "fcos-0", 0x3FFF, 0x8000000000000000
        fldz
        fsincos
        CHK80 "fsincos-0-cos", 0x3FFF, 0x8000000000000000
        CHK80 "fsincos-0-sin", 0x0000, 0
        fldz
        fptan
        CHK80 "fptan-0-one", 0x3FFF, 0x8000000000000000
        CHK80 "fptan-0-tan", 0x0000, 0
        fldz
        f2xm1
        CHK80 "f2xm1-0", 0x0000, 0
        fld qword [d_3]
        fld qword [d_8]
        fyl2x
        CHK80 "fyl2x-3log2-8", 0x4002, 0x9000000000000000
        fldz                        ; y
        fld1                        ; x
        fpatan
        CHK80 "fpatan-0", 0x0000, 0
        fninit
        LD80 0x403F, 0x8000000000000000     ; 2^64: out of range
        fsin
        CHKSW "fsin-out-of-range-c2", 0x0400, 0x0400
        CHK80 "fsin-out-of-range-unchanged", 0x403F, 0x8000000000000000

        ; ---- FSAVE / FRSTOR / FNSTENV / FLDENV, 32-bit protected mode -------------------------------
        fninit
        SETRC 2
        fld1
.pm_fld:
        fld tword [pi80]
        fnsave [sav]
        CHECK "fsave-cw", [sav+0], 0x0B7F
        CHECK "fsave-sw", [sav+4], 0x3000
        CHECK "fsave-tw", [sav+8], 0x0FFF
        CHECK "fsave-fip", [sav+12], .pm_fld
        movzx eax, word [sav+16]
        CHECK "fsave-fcs", eax, SEL_CODE32
        movzx eax, word [sav+18]
        CHECKQ "fsave-fop", eax, 0x32D
        CHECK "fsave-fdp", [sav+20], pi80
        CHECK "fsave-fds", [sav+24], SEL_DATA32
        CHECKMEM "fsave-st0-at-28", sav+28, pi80, 10
        CHECKMEM "fsave-st1-at-38", sav+38, one80, 10
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "fsave-reinit-cw", eax, 0x037F
        fnstenv [env]
        movzx eax, word [env+8]
        CHECK "fsave-reinit-tw", eax, 0xFFFF
        ; FRSTOR a modified image
        mov word [sav+0], 0x0F7F
        mov esi, two80
        lea edi, [sav+28]
        mov ecx, 10
        rep movsb
        frstor [sav]
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "frstor-cw", eax, 0x0F7F
        TOPIS "frstor-top", 6
        CHK80 "frstor-st0", 0x4000, 0x8000000000000000
        CHK80 "frstor-st1", 0x3FFF, 0x8000000000000000
        ; full tag word: valid, zero, special, empty
        fninit
        fld1
        fldz
        LD80 0x7FFF, 0x8000000000000000
        fnstenv [env]
        movzx eax, word [env+8]
        CHECK "fstenv-tags-valid-zero-special", eax, 0x1BFF
        ; FNSTENV masks all exceptions afterwards; the image keeps the old CW
        fninit
        mov word [cwtmp], 0x0360
        fldcw [cwtmp]
        fnstenv [env]
        movzx eax, word [env+0]
        CHECK "fstenv-image-cw", eax, 0x0360
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECKQ "fstenv-masks-exceptions", eax, 0x037F
        ; FLDENV: CW, SW (TOP) and the tag word come back
        fninit
        fld1
        fld1
        fnstenv [env]
        mov word [env+0], 0x0C7F
        mov word [env+8], 0x7FFF        ; ST0 (phys 6) empty, phys 7 valid
        fldenv [env]
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "fldenv-cw", eax, 0x0C7F
        TOPIS "fldenv-top", 6
        fxam
        CHKSW "fldenv-tag-empty", 0x4500, 0x4100
        ; 16-bit protected-mode FNSTENV format (operand-size prefix)
        fninit
.pm16_fld:
        fld tword [pi80]
        o16 fnstenv [env]
        movzx eax, word [env+0]
        CHECK "fstenv16-cw", eax, 0x037F
        movzx eax, word [env+2]
        CHECK "fstenv16-sw", eax, 0x3800
        movzx eax, word [env+4]
        CHECK "fstenv16-tw", eax, 0x3FFF
        movzx eax, word [env+6]
        CHECK "fstenv16-ip", eax, .pm16_fld
        movzx eax, word [env+8]
        CHECK "fstenv16-cs", eax, SEL_CODE32
        movzx eax, word [env+10]
        CHECK "fstenv16-dp", eax, pi80
        movzx eax, word [env+12]
        CHECK "fstenv16-ds", eax, SEL_DATA32

        ; ---- FXSAVE / FXRSTOR ----------------------------------------------------------------------------
        mov eax, 1
        cpuid
        bt edx, 24
        jc .fxsr
        SKIP "fxsave no FXSR in CPUID"
        jmp .fxdone
.fxsr:  mov eax, cr4
        or eax, 0x200                   ; OSFXSR
        mov cr4, eax
        mov dword [mxcsr], 0x1F80
        bt edx, 25                      ; LDMXCSR needs SSE (a P6 without SSE: #UD)
        jnc .fx_nosse
        ldmxcsr [mxcsr]
.fx_nosse:
        fninit
        SETRC 2
        fld1
.fx_fld:
        fld tword [pi80]
        mov edi, fxarea
        fxsave [edi]
        movzx eax, word [edi+0]
        CHECK "fxsave-fcw", eax, 0x0B7F
        movzx eax, word [edi+2]
        CHECK "fxsave-fsw", eax, 0x3000
        movzx eax, byte [edi+4]
        CHECK "fxsave-abridged-ftw", eax, 0xC0
        movzx eax, word [edi+6]
        CHECKQ "fxsave-fop", eax, 0x32D
        CHECKQ "fxsave-fip", [edi+8], .fx_fld
        movzx eax, word [edi+12]
        CHECKQ "fxsave-fcs", eax, SEL_CODE32
        CHECKQ "fxsave-fdp", [edi+16], pi80
        movzx eax, word [edi+20]
        CHECKQ "fxsave-fds", eax, SEL_DATA32
        CHECK "fxsave-mxcsr", [edi+24], 0x1F80
        CHECKMEM "fxsave-st0-at-32", fxarea+32, pi80, 10
        CHECKMEM "fxsave-st1-at-48", fxarea+48, one80, 10
        ; FXSAVE does not reinitialise
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "fxsave-keeps-state", eax, 0x0B7F
        ; FXRSTOR a modified image: CW, ST0, and ST0 tagged empty
        fninit
        mov word [edi+0], 0x0E7F
        mov esi, two80
        lea edi, [fxarea+48]
        mov ecx, 10
        rep movsb
        mov edi, fxarea
        mov byte [edi+4], 0x80          ; only physical register 7 valid
        fxrstor [edi]
        fnstcw [cwtmp]
        movzx eax, word [cwtmp]
        CHECK "fxrstor-fcw", eax, 0x0E7F
        TOPIS "fxrstor-top", 6
        fxam
        CHKSW "fxrstor-abridged-empty", 0x4500, 0x4100
        fnstenv [env]
        movzx eax, word [env+8]
        CHECK "fxrstor-full-tw", eax, 0x3FFF
        fincstp
        CHK80 "fxrstor-st1", 0x4000, 0x8000000000000000
.fxdone:

        ; ---- CR0.EM, CR0.TS/MP --------------------------------------------------------------------------
        fninit
        TNOFAULT "fwait-no-pending", fwait
        mov eax, cr0
        or eax, 4                       ; EM
        mov cr0, eax
        TFAULT "em-nm", 7, none, fld1
        TNOFAULT "em-wait-ok", fwait
        mov eax, cr0
        and eax, ~4
        or eax, 8 | 2                   ; TS, MP
        mov cr0, eax
        TFAULT "ts-mp-wait-nm", 7, none, fwait
        TFAULT "ts-fpu-nm", 7, none, fldz
        clts
        TNOFAULT "clts-fpu-ok", fldz
        DONE

; ---------------------------------------------------------------------------
; data
; ---------------------------------------------------------------------------
        align 16
fxarea:     times 512 db 0
sav:        times 112 db 0
env:        times 32 db 0
t80:        times 16 db 0
i64:        dd 0, 0
i32:        dd 0
i16:        dw 0
cwtmp:      dw 0
mxcsr:      dd 0
pi80:       dq 0xC90FDAA22168C235
            dw 0x4000
one80:      dq 0x8000000000000000
            dw 0x3FFF
two80:      dq 0x8000000000000000
            dw 0x4000
indef80:    dq 0xC000000000000000
            dw 0xFFFF
snan64:     dq 0x7FF0000000000001
qnan64:     dq 0x7FF8000000000000
denorm64:   dq 0x0000000000000001
negzero64:  dq 0x8000000000000000
zero64:     dq 0
big64:      dq 0x7E37E43C8800759C       ; 1e300
tiny64:     dq 0x01A56E1FC2F8F359       ; 1e-300
f32_1_5:    dd 0x3FC00000
f32_2:      dd 0x40000000
d_2_5:      dq 0x4004000000000000
d_m2_5:     dq 0xC004000000000000
d_3_5:      dq 0x400C000000000000
d_1_75:     dq 0x3FFC000000000000
d_m1_75:    dq 0xBFFC000000000000
d_1_5:      dq 0x3FF8000000000000
d_2_25:     dq 0x4002000000000000
d_2:        dq 0x4000000000000000
d_3:        dq 0x4008000000000000
d_8:        dq 0x4020000000000000
d_10:       dq 0x4024000000000000
d_11:       dq 0x4026000000000000
d_m10:      dq 0xC024000000000000
d_12:       dq 0x4028000000000000
d_2_9:      dq 0x4007333333333333
d_m1_9:     dq 0xBFFE666666666666
d_40000:    dq 0x40E3880000000000
d_3e9:      dq 0x41E65A0BC0000000
d_2p63:     dq 0x43E0000000000000
d_1e18:     dq 0x43ABC16D674EC800
bcd1:       db 0x90, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0x00
bcd_max:    db 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00
bcd_neg:    db 0x21, 0x43, 0, 0, 0, 0, 0, 0, 0, 0x80
bcd_m987:   db 0x21, 0x43, 0x65, 0x87, 0x09, 0, 0, 0, 0, 0x80
bcd_2:      db 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0
bcd_3:      db 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0
bcd_indef:  db 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF

        align 8
gdt:    GDT_STD
gdt_end:

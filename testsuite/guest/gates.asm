; gates.asm - privilege levels, gates and exceptions:
;   IRET/RETF to ring 3 (data segment registers nulled when DPL < CPL),
;   INT n through DPL-3 interrupt and trap gates (stack switch from the TSS,
;   frame contents, IF cleared or kept), #GP(vector*8+2) for a DPL-0 gate,
;   #NP for a non-present gate, #GP for a vector beyond the IDT limit,
;   call gates with parameter copy and RETF n, conforming code, privilege
;   checks on segment loads, privileged instructions at CPL 3, POPF at CPL 3,
;   #DE/#UD/#BP/#OF/#BR (fault vs trap EIP), and 16-bit interrupt/trap gates.
;
;   nasm -f bin -o gates.bin gates.asm
%include "lib.inc"

SEL_C3      equ 0x38            ; code DPL 3 (base PROG_BASE)
SEL_D3      equ 0x40            ; data DPL 3 (base PROG_BASE)
SEL_TSS     equ 0x48
SEL_CG3     equ 0x50            ; call gate DPL 3 -> cg_target, 2 params
SEL_CG0     equ 0x58            ; call gate DPL 0 -> cg0_target, 2 params
SEL_CONF    equ 0x60            ; conforming code DPL 0
SEL_CONF3   equ 0x68            ; conforming code DPL 3
SEL_CGNP    equ 0x70            ; call gate not present
SEL_CG16    equ 0x78            ; 16-bit call gate DPL 3 -> cg16_target, 1 param

ESP0        equ 0xF000          ; ring-0 stack from the TSS
R3_STACK    equ 0xE000          ; ring-3 stack
C3          equ SEL_C3 | 3
D3          equ SEL_D3 | 3

; RING3 entry, eflags: IRET to ring 3 at `entry`; control comes back here
; when ring-3 code faults or executes INT 0x30/0x31 (exc_vec says which).
%macro RING3 2
        CATCH %%back
        push dword D3
        push dword R3_STACK
        push dword %2
        push dword C3
        push dword %1
        iretd
        CAUGHT %%back
%endmacro

; R3TEST name, vector, errcode, eflags, instruction
;   run one instruction at CPL 3 (DS=ES=D3); vector 0x30 means "no fault".
%macro R3TEST 5+
        jmp %%go
%%code: %5
        int 0x30
%%go:   RING3 %%r3, %4
        CHECK {%1, "-vec"}, [exc_vec], %2
%ifnidn %3, none
        CHECK {%1, "-err"}, [exc_err], %3
%endif
        jmp %%end
%%r3:   xor eax, eax
        mov ax, D3
        mov ds, ax
        mov es, ax
        jmp %%code
%%end:
%endmacro

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_TSS
        ltr ax
        ; our own gates
        mov eax, 0x30
        mov ebx, hstub_30
        mov ecx, 0xEE               ; 32-bit interrupt gate, DPL 3
        call set_gate32
        mov eax, 0x31
        mov ebx, hstub_31
        mov ecx, 0xEF               ; 32-bit trap gate, DPL 3
        call set_gate32
        mov eax, 0x32
        mov ebx, hstub_32
        mov ecx, 0x8E               ; 32-bit interrupt gate, DPL 0
        call set_gate32
        mov eax, 0x33
        mov ebx, h16_33
        mov ecx, (SEL_CODE16 << 16) | 0x86  ; 16-bit interrupt gate, DPL 0
        call set_gate32
        mov eax, 0x34
        mov ebx, hstub_32
        mov ecx, 0x0E               ; not present
        call set_gate32
        mov eax, 0x35
        mov ebx, h16_35
        mov ecx, (SEL_CODE16 << 16) | 0xE7  ; 16-bit trap gate, DPL 3
        call set_gate32

        ; ---- IRET to ring 3 ------------------------------------------------
        mov ax, D3
        mov es, ax                  ; DPL 3: kept
        mov ax, SEL_CONF
        mov fs, ax                  ; conforming code: kept
        mov ax, SEL_FLAT
        mov gs, ax                  ; DPL 0: nulled
        ; DS = SEL_DATA32 (DPL 0): nulled
        RING3 r3_first, 0x202
        push ss
        pop es
        CHECK "iret3-cs", [r3_v+0], C3
        CHECK "iret3-ss", [r3_v+4], D3
        CHECK "iret3-ds-nulled", [r3_v+8], 0
        CHECK "iret3-es-kept", [r3_v+12], D3
        CHECK "iret3-fs-conforming-kept", [r3_v+16], SEL_CONF
        CHECK "iret3-gs-nulled", [r3_v+20], 0
        CHECK "iret3-esp", [r3_v+24], R3_STACK
        ; ... then INT 0x30 (interrupt gate, DPL 3) back to ring 0
        CHECK "int-gate-vec", [exc_vec], 0x30
        CHECK "int-gate-frame-eip", [exc_eip], r3_first.after_int
        CHECK "int-gate-frame-cs", [exc_cs], C3
        mov eax, [exc_eflags]
        and eax, 0x3200
        CHECK "int-gate-frame-eflags", eax, 0x0200
        CHECK "int-gate-frame-esp", [exc_esp], R3_STACK - 4
        CHECK "int-gate-frame-ss", [exc_ss], D3
        CHECK "int-gate-stack-switch", [h_esp], ESP0 - 20
        CHECK "int-gate-handler-ss", [h_ss], SEL_DATA32
        CHECK "int-gate-handler-cs", [h_cs], SEL_CODE32
        CHECK "int-gate-ds-unchanged", [h_ds], D3
        mov eax, [h_eflags]
        and eax, 0x200
        CHECK "int-gate-clears-if", eax, 0

        ; trap gate keeps IF
        R3TEST "trap-gate", 0x31, none, 0x202, int 0x31
        mov eax, [h_eflags]
        and eax, 0x200
        CHECK "trap-gate-keeps-if", eax, 0x200
        CHECK "trap-gate-stack-switch", [h_esp], ESP0 - 20

        ; DPL-0 gates from ring 3
        R3TEST "int-dpl0-gate", 13, 0x32*8+2, 0x202, int 0x32
        R3TEST "int3-dpl0-gate", 13, 3*8+2, 0x202, int3
        RING3 r3_into, 0xA02        ; OF=1
        CHECK "into-dpl0-gate-vec", [exc_vec], 13
        CHECK "into-dpl0-gate-err", [exc_err], 4*8+2
        ; ... but exceptions ignore the gate DPL
        mov dword [bnds], 10
        mov dword [bnds+4], 20
        R3TEST "bound-r3-dpl0-gate", 5, none, 0x202, bound eax, [bnds]
        R3TEST "ud2-r3", 6, none, 0x202, ud2
        ; a ring-3 fault frame
        jmp .gpf_go
.gpf:   mov ax, D3
        mov ds, ax
        push eax
.gpf_insn:
        cli
.gpf_go:
        RING3 .gpf, 0x202
        CHECK "r3-gp-vec", [exc_vec], 13
        CHECK "r3-gp-err", [exc_err], 0
        CHECK "r3-gp-eip", [exc_eip], .gpf_insn
        CHECK "r3-gp-cs", [exc_cs], C3
        CHECK "r3-gp-esp", [exc_esp], R3_STACK - 4
        CHECK "r3-gp-ss", [exc_ss], D3
        ; INT3/INTO through DPL-3 gates: traps, EIP after the instruction
        mov eax, 3
        mov ebx, exc_stub_3
        mov ecx, 0xEE
        call set_gate32
        mov eax, 4
        mov ebx, exc_stub_4
        mov ecx, 0xEE
        call set_gate32
        jmp .bp3_go
.bp3:   int3
.bp_after:
.bp3_go: RING3 .bp3, 0x202
        CHECK "int3-r3-vec", [exc_vec], 3
        CHECK "int3-r3-eip", [exc_eip], .bp_after
        RING3 r3_into, 0xA02        ; OF=1
        CHECK "into-r3-vec", [exc_vec], 4
        CHECK "into-r3-eip", [exc_eip], r3_into.after
        R3TEST "into-of0-no-trap", 0x30, none, 0x202, into

        ; ---- privileged instructions at CPL 3 ---------------------------------
        R3TEST "r3-cli-iopl0", 13, 0, 0x202, cli
        R3TEST "r3-sti-iopl0", 13, 0, 0x202, sti
        R3TEST "r3-cli-iopl3", 0x30, none, 0x3202, cli
        R3TEST "r3-hlt", 13, 0, 0x3202, hlt
        R3TEST "r3-mov-cr0", 13, 0, 0x202, mov cr0, eax
        R3TEST "r3-read-cr3", 13, 0, 0x202, mov eax, cr3
        R3TEST "r3-lgdt", 13, 0, 0x202, lgdt [sbuf]
        R3TEST "r3-lidt", 13, 0, 0x202, lidt [sbuf]
        R3TEST "r3-ltr", 13, 0, 0x202, ltr ax
        R3TEST "r3-lldt", 13, 0, 0x202, lldt ax
        R3TEST "r3-clts", 13, 0, 0x202, clts
        R3TEST "r3-invlpg", 13, 0, 0x202, invlpg [sbuf]
        R3TEST "r3-mov-dr7", 13, 0, 0x202, mov eax, dr7
        R3TEST "r3-rdmsr", 13, 0, 0x202, rdmsr
        R3TEST "r3-wbinvd", 13, 0, 0x202, wbinvd
        R3TEST "r3-in-iopl0", 13, 0, 0x202, in al, 0x80
        R3TEST "r3-out-iopl0", 13, 0, 0x202, out 0x80, al
        R3TEST "r3-sgdt-ok", 0x30, none, 0x202, sgdt [sbuf]
        R3TEST "r3-smsw-ok", 0x30, none, 0x202, smsw ax

        ; POPF at CPL 3
        RING3 r3_popf, 0x202
        mov eax, [r3_v+4]
        and eax, 0x3200
        CHECK "r3-popf-iopl0-keeps-if-iopl", eax, 0x0200
        RING3 r3_popf, 0x3202
        mov eax, [r3_v+4]
        and eax, 0x3200
        CHECK "r3-popf-iopl3-if-not-iopl", eax, 0x3000

        ; segment loads at CPL 3
        R3TEST "r3-ds-dpl0", 13, SEL_DATA32, 0x202, mov ds, [sel_data32]
        R3TEST "r3-ds-rpl0-dpl3", 0x30, none, 0x202, mov ds, [sel_d3rpl0]
        R3TEST "r3-ss-rpl0", 13, SEL_D3, 0x202, mov ss, [sel_d3rpl0]
        R3TEST "r3-ss-dpl0", 13, SEL_DATA32, 0x202, mov ss, [sel_data32]
        R3TEST "r3-ds-conforming", 0x30, none, 0x202, mov ds, [sel_conf]
        R3TEST "r3-jmp-dpl0-code", 13, SEL_CODE32, 0x202, jmp SEL_CODE32:0
        R3TEST "r3-call-dpl0-code", 13, SEL_CODE32, 0x202, call SEL_CODE32:0

        ; ---- call gates ----------------------------------------------------------
        RING3 r3_callgate, 0x202
        CHECK "cg-stack-switch", [cg_v+0], ESP0 - 24
        CHECK "cg-frame-eip", [cg_v+4], r3_callgate.ret
        CHECK "cg-frame-cs", [cg_v+8], C3
        CHECK "cg-frame-param-last", [cg_v+12], 0x22222222
        CHECK "cg-frame-param-first", [cg_v+16], 0x11111111
        CHECK "cg-frame-esp", [cg_v+20], R3_STACK - 8
        CHECK "cg-frame-ss", [cg_v+24], D3
        CHECK "cg-target-cs", [cg_v+28], SEL_CODE32
        CHECK "cg-retf-n-esp", [r3_v+0], R3_STACK
        CHECK "cg-result", [r3_v+4], 0x33333333
        CHECK "cg-back-cs", [r3_v+8], C3
        CHECK "cg-back-ds-kept", [r3_v+12], D3
        R3TEST "cg-dpl0-from-r3", 13, SEL_CG0, 0x202, call SEL_CG0:0
        R3TEST "cg-notpresent", 11, SEL_CGNP, 0x202, call SEL_CGNP:0
        ; same privilege: no stack switch, no parameter copy
        push dword 0                ; RETF 8 pops two (uncopied) parameters
        push dword 0
        mov [esp_before], esp
        call SEL_CG0:0
        mov eax, [esp_before]
        sub eax, [cg_v+0]
        CHECK "cg-same-priv-frame", eax, 8
        CHECK "cg-same-priv-cs", [cg_v+28], SEL_CODE32
        ; 16-bit call gate: 16-bit frame, 1 word parameter
        RING3 r3_callgate16, 0x202
        CHECK "cg16-stack-switch", [cg_v+0], ESP0 - 10
        CHECK "cg16-frame-ip", [cg_v+4], r3_callgate16.ret
        CHECK "cg16-frame-cs", [cg_v+8], C3
        CHECK "cg16-frame-param", [cg_v+12], 0xBEEF
        CHECK "cg16-frame-sp", [cg_v+16], R3_STACK - 2
        CHECK "cg16-frame-ss", [cg_v+20], D3
        CHECK "cg16-retf-n-esp", [r3_v+0], R3_STACK

        ; ---- conforming code --------------------------------------------------------
        RING3 r3_conf, 0x202
        CHECK "conf-keeps-cpl3", [r3_v+0], SEL_CONF | 3
        CHECK "conf-no-stack-switch", [r3_v+4], 8
        CHECK "conf-back-cs", [r3_v+8], C3
        TFAULT "conf-dpl3-from-r0", 13, SEL_CONF3, call SEL_CONF3:0
        mov [esp_before], esp
        call SEL_CONF:conf_fn       ; DPL 0 conforming from CPL 0
        CHECK "conf-r0-cs", [r3_v+0], SEL_CONF

        ; ---- RETF to ring 3 ------------------------------------------------------
        mov ax, SEL_DATA32
        mov ds, ax
        mov ax, D3
        mov es, ax
        CATCH .rb
        push dword D3
        push dword R3_STACK
        push dword C3
        push dword r3_first
        retf
        CAUGHT .rb
        CHECK "retf3-cs", [r3_v+0], C3
        CHECK "retf3-ss", [r3_v+4], D3
        CHECK "retf3-ds-nulled", [r3_v+8], 0

        ; ---- 16-bit gates ----------------------------------------------------------
        mov [esp_before], esp
        int 0x33
.after33:
        mov eax, [esp_before]
        sub eax, [g16_v+0]
        CHECK "int16-gate-frame-size", eax, 6
        CHECK "int16-gate-ip", [g16_v+4], .after33
        CHECK "int16-gate-cs", [g16_v+8], SEL_CODE32
        mov eax, [g16_v+12]
        and eax, 0x0202
        CHECK "int16-gate-flags", eax, 0x0002
        CHECK "int16-gate-handler-if", [g16_v+16], 0
        RING3 r3_int35, 0x202
        CHECK "trap16-r3-stack-switch", [g16_v+0], ESP0 - 10
        CHECK "trap16-r3-ip", [g16_v+4], r3_int35.after
        CHECK "trap16-r3-cs", [g16_v+8], C3
        mov eax, [g16_v+12]
        and eax, 0x0202
        CHECK "trap16-r3-flags", eax, 0x0202
        CHECK "trap16-r3-handler-if", [g16_v+16], 0x200
        CHECK "trap16-r3-sp", [g16_v+20], R3_STACK
        CHECK "trap16-r3-ss", [g16_v+24], D3
        CHECK "trap16-r3-iret-back", [r3_v+0], 0x1616

        ; ---- gate faults ---------------------------------------------------------------
        TFAULT "int-gate-notpresent", 11, 0x34*8+2, int 0x34
        mov word [idtr_small], 0x1FF
        lidt [idtr_small]
        TFAULT "int-beyond-idt-limit", 13, 0x50*8+2, int 0x50
        lidt [idtr]
        ; interrupt gate clears NT and TF; the pushed EFLAGS keep them
        mov [esp_before], esp
        CATCH .nt
        pushfd
        or dword [esp], 0x4000      ; NT
        popfd
        int 0x32
        CAUGHT .nt
        mov eax, [exc_eflags]
        and eax, 0x4000
        CHECK "int-frame-nt-kept", eax, 0x4000
        mov eax, [h_eflags]
        and eax, 0x4000
        CHECK "int-gate-clears-nt", eax, 0
        mov eax, [esp_before]
        sub eax, [h_esp]
        CHECK "int-same-priv-frame", eax, 12

        ; ---- exceptions at CPL 0 ---------------------------------------------------
        xor ecx, ecx
        CATCH .de
.de_insn:
        div ecx
        CAUGHT .de
        CHECK "de-vec", [exc_vec], 0
        CHECK "de-eip-fault", [exc_eip], .de_insn
        mov edx, 1
        xor eax, eax
        mov ecx, 1
        TFAULT "de-quotient-overflow", 0, none, div ecx
        mov eax, 0x80000000
        cdq
        mov ecx, -1
        TFAULT "de-idiv-overflow", 0, none, idiv ecx
        mov ax, 0x8000
        cwd
        mov cx, -1
        TFAULT "de-idiv16-overflow", 0, none, idiv cx
        CATCH .ud
.ud_insn:
        ud2
        CAUGHT .ud
        CHECK "ud-vec", [exc_vec], 6
        CHECK "ud-eip-fault", [exc_eip], .ud_insn
        CATCH .bp
        int3
.bp_next:
        CAUGHT .bp
        CHECK "bp-vec", [exc_vec], 3
        CHECK "bp-eip-trap", [exc_eip], .bp_next
        CATCH .bp2
        int 3
.bp2_next:
        CAUGHT .bp2
        CHECK "int-n-3-vec", [exc_vec], 3
        CHECK "int-n-3-eip", [exc_eip], .bp2_next
        mov eax, 0x7FFFFFFF
        CATCH .of
        add eax, 1
        into
.of_next:
        CAUGHT .of
        CHECK "of-vec", [exc_vec], 4
        CHECK "of-eip-trap", [exc_eip], .of_next
        mov eax, 1
        add eax, 1
        TNOFAULT "into-no-overflow", into
        mov dword [bnds], 10
        mov dword [bnds+4], 20
        mov eax, 15
        TNOFAULT "bound-inside", bound eax, [bnds]
        mov eax, 20
        TNOFAULT "bound-upper-inclusive", bound eax, [bnds]
        mov eax, 21
        CATCH .br
.br_insn:
        bound eax, [bnds]
        CAUGHT .br
        CHECK "bound-above-vec", [exc_vec], 5
        CHECK "bound-eip-fault", [exc_eip], .br_insn
        mov eax, 9
        TFAULT "bound-below", 5, none, bound eax, [bnds]
        mov word [bnds16], -5
        mov word [bnds16+2], 5
        mov ax, -6
        TFAULT "bound16-signed", 5, none, bound ax, [bnds16]
        mov ax, -5
        TNOFAULT "bound16-signed-ok", bound ax, [bnds16]
        DONE

; ---------------------------------------------------------------------------
; handlers
; ---------------------------------------------------------------------------
hstub_30:
        push dword 0x30
        jmp hcommon
hstub_31:
        push dword 0x31
        jmp hcommon
hstub_32:
        push dword 0x32
        jmp hcommon
hcommon:
        pushfd
        pop dword [ss:h_eflags]
        mov [ss:h_esp], esp
        add dword [ss:h_esp], 4
        mov dword [ss:h_ds], 0
        mov [ss:h_ds], ds
        mov dword [ss:h_cs], 0
        mov [ss:h_cs], cs
        mov dword [ss:h_ss], 0
        mov [ss:h_ss], ss
        pop eax
        push dword -1
        push eax
        jmp exc_common

cg_target:                          ; via SEL_CG3 / SEL_CG0
        mov [ss:cg_v+0], esp
        mov eax, [esp+0]
        mov [ss:cg_v+4], eax
        mov eax, [esp+4]
        mov [ss:cg_v+8], eax
        mov eax, [esp+8]
        mov [ss:cg_v+12], eax
        mov eax, [esp+12]
        mov [ss:cg_v+16], eax
        mov eax, [esp+16]
        mov [ss:cg_v+20], eax
        mov eax, [esp+20]
        mov [ss:cg_v+24], eax
        mov dword [ss:cg_v+28], 0
        mov [ss:cg_v+28], cs
        mov eax, [esp+8]
        add eax, [esp+12]
        retf 8

conf_fn:                            ; conforming DPL 0 code
        mov dword [ss:r3_v+0], 0
        mov [ss:r3_v+0], cs
        mov [ss:r3_v+4], esp
        retf

        bits 16
cg16_target:                        ; 16-bit call gate target, 1 word param
        mov [ss:cg_v+0], esp
        movzx eax, word [esp+0]
        mov [ss:cg_v+4], eax
        movzx eax, word [esp+2]
        mov [ss:cg_v+8], eax
        movzx eax, word [esp+4]
        mov [ss:cg_v+12], eax
        movzx eax, word [esp+6]
        mov [ss:cg_v+16], eax
        movzx eax, word [esp+8]
        mov [ss:cg_v+20], eax
        retf 2

h16_33:                             ; 16-bit interrupt gate, same privilege
h16_35:                             ; 16-bit trap gate, from ring 3
        mov [ss:g16_v+0], esp
        movzx eax, word [esp+0]
        mov [ss:g16_v+4], eax
        movzx eax, word [esp+2]
        mov [ss:g16_v+8], eax
        movzx eax, word [esp+4]
        mov [ss:g16_v+12], eax
        pushfd
        pop eax
        and eax, 0x200
        mov [ss:g16_v+16], eax
        movzx eax, word [esp+6]
        mov [ss:g16_v+20], eax
        movzx eax, word [esp+8]
        mov [ss:g16_v+24], eax
        iret                        ; 16-bit IRET
        bits 32

; ---------------------------------------------------------------------------
; ring-3 code (runs in SEL_C3, base PROG_BASE)
; ---------------------------------------------------------------------------
r3_first:
        mov [es:r3_v+0], cs
        mov word [es:r3_v+2], 0
        mov [es:r3_v+4], ss
        mov word [es:r3_v+6], 0
        mov [es:r3_v+8], ds
        mov word [es:r3_v+10], 0
        mov [es:r3_v+12], es
        mov word [es:r3_v+14], 0
        mov [es:r3_v+16], fs
        mov word [es:r3_v+18], 0
        mov [es:r3_v+20], gs
        mov word [es:r3_v+22], 0
        mov [es:r3_v+24], esp
        mov ax, D3
        mov ds, ax
        push eax                    ; ESP = R3_STACK - 4 at the INT
        int 0x30
.after_int:
        jmp $

r3_into:                            ; entered with OF=1
        into
.after: int 0x30

r3_popf:
        mov ax, D3
        mov ds, ax
        pushfd
        pop dword [r3_v+0]
        push dword 0x0002           ; IF=0, IOPL=0
        popfd
        pushfd
        pop dword [r3_v+4]
        push dword 0x3202
        popfd
        int 0x30

r3_callgate:
        mov ax, D3
        mov ds, ax
        push dword 0x11111111
        push dword 0x22222222
        call SEL_CG3:0
.ret:   mov [r3_v+0], esp
        mov [r3_v+4], eax
        mov [r3_v+8], cs
        mov word [r3_v+10], 0
        mov [r3_v+12], ds
        mov word [r3_v+14], 0
        int 0x30

r3_callgate16:
        mov ax, D3
        mov ds, ax
        push word 0xBEEF
        call SEL_CG16:0
.ret:   mov [r3_v+0], esp
        int 0x30

r3_conf:
        mov ax, D3
        mov ds, ax
        mov ebx, esp
        call SEL_CONF:conf_fn
        sub ebx, [r3_v+4]
        mov [r3_v+4], ebx
        mov [r3_v+8], cs
        mov word [r3_v+10], 0
        int 0x30

r3_int35:
        mov ax, D3
        mov ds, ax
        int 0x35
.after: mov dword [r3_v+0], 0x1616
        int 0x30

; ---------------------------------------------------------------------------
; data
; ---------------------------------------------------------------------------
        align 4
r3_v:       times 8 dd 0
cg_v:       times 8 dd 0
g16_v:      times 8 dd 0
h_eflags:   dd 0
h_esp:      dd 0
h_ds:       dd 0
h_cs:       dd 0
h_ss:       dd 0
esp_before: dd 0
bnds:        dd 0, 0
sbuf:       dd 0, 0
bnds16:      dw 0, 0
sel_data32: dw SEL_DATA32
sel_d3rpl0: dw SEL_D3
sel_conf:   dw SEL_CONF
idtr_small: dw 0
            dd idt + PROG_BASE

        align 8
tss:        dd 0                    ; back link
            dd ESP0                 ; ESP0
            dd SEL_DATA32           ; SS0
            times 22 dd 0
            dw 0                    ; T
            dw 104                  ; I/O map base beyond the limit: no bitmap
tss_end:

        align 8
gdt:    GDT_STD
        DESC PROG_BASE, 0xFFFFF, ACC_P|ACC_DPL(3)|ACC_CODE|ACC_RW|ACC_A, FL_G|FL_D  ; 38 C3
        DESC PROG_BASE, 0xFFFFF, ACC_P|ACC_DPL(3)|ACC_DATA|ACC_RW|ACC_A, FL_G|FL_D  ; 40 D3
        DESC tss - $$ + PROG_BASE, tss_end - tss - 1, ACC_P|0x09, 0                ; 48 TSS
        GATE SEL_CODE32, cg_target - $$, 0xEC, 2                                   ; 50 CG3
        GATE SEL_CODE32, cg_target - $$, 0x8C, 2                                   ; 58 CG0
        DESC PROG_BASE, 0xFFFFF, ACC_P|ACC_CODE|ACC_RW|ACC_CONF|ACC_A, FL_G|FL_D   ; 60 CONF
        DESC PROG_BASE, 0xFFFFF, ACC_P|ACC_DPL(3)|ACC_CODE|ACC_RW|ACC_CONF|ACC_A, FL_G|FL_D ; 68
        GATE SEL_CODE32, cg_target - $$, 0x6C, 2                                   ; 70 CGNP
        GATE SEL_CODE16, cg16_target - $$, 0xE4, 1                                 ; 78 CG16
gdt_end:

; v86.asm - virtual-8086 mode:
;   entering v86 through IRETD with VM=1 (segment registers from the frame),
;   8086 addressing (segment*16, HMA through FFFF:xxxx), PUSHFD hiding VM,
;   with IOPL=3: CLI/STI/PUSHF/IRET run natively, INT n goes through the
;   protected-mode IDT (ring-0 handler sees the 9-dword v86 frame and null
;   data segment registers; IRETD returns to v86), INT n through a DPL-0 gate
;   gives #GP(n*8+2); with IOPL=0: CLI/STI/PUSHF/POPF/INT n/IRET/HLT raise
;   #GP(0) and a ring-0 monitor emulates them (virtual IF, real-mode INT via
;   the IVT); INT3 is not IOPL-sensitive; IN/OUT always use the TSS I/O
;   permission bitmap (allowed port, denied port, word access straddling an
;   allowed and a denied port); leaving v86 through INT n to a ring-0
;   handler that does not return.
;
;   The test writes/reads I/O port 0x80, 0x86 and 0x87 (their values are not
;   checked; the harness must ignore them).
;
;   nasm -f bin -o v86.bin v86.asm
%include "lib.inc"

SEL_TSS     equ 0x38
TSS_BASE    equ 0x300000        ; TSS + I/O bitmap, built at run time
IOMAP       equ 104
ESP0        equ 0xF000
V86_SP      equ 0xE000
VM          equ 0x20000

; V86ENTER entry, eflags: IRETD into v86 at PROG_SEG:entry with
; DS=SS=PROG_SEG, ES=0x2000, FS=0x3000, GS=0x4000, SP=V86_SP.
; Comes back here when the v86 code leaves (INT 0x31, or HLT via the monitor).
%macro V86ENTER 2
        CATCH %%back
        push dword 0x4000           ; GS
        push dword 0x3000           ; FS
        push dword PROG_SEG         ; DS
        push dword 0x2000           ; ES
        push dword PROG_SEG         ; SS
        push dword V86_SP           ; ESP
        push dword (%2) | VM | 2    ; EFLAGS
        push dword PROG_SEG         ; CS
        push dword %1               ; EIP
        iretd
        CAUGHT %%back
%endmacro

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov gs, ax
        ; TSS with a full I/O bitmap: everything denied but 0x80, 0x86, 0x87
        mov edi, TSS_BASE
        mov ecx, IOMAP
.z:     mov byte [gs:edi], 0
        inc edi
        loop .z
        mov ecx, 8192 + 1
.f:     mov byte [gs:edi], 0xFF
        inc edi
        loop .f
        mov dword [gs:TSS_BASE + 4], ESP0
        mov dword [gs:TSS_BASE + 8], SEL_DATA32
        mov word [gs:TSS_BASE + 0x66], IOMAP
        mov byte [gs:TSS_BASE + IOMAP + 0x80/8], 0xFF & ~(1 | 0x40 | 0x80)
        mov ax, SEL_TSS
        ltr ax
        ; gates
        mov eax, 13
        mov ebx, v86_monitor
        mov ecx, 0x8E
        call set_gate32
        mov eax, 0x30
        mov ebx, v86_int_handler
        mov ecx, 0xEE               ; DPL 3
        call set_gate32
        mov eax, 3
        mov ebx, v86_int_handler
        mov ecx, 0xEE
        call set_gate32
        mov eax, 0x31
        mov ebx, leave_stub
        mov ecx, 0xEE
        call set_gate32
        mov eax, 0x32
        mov ebx, v86_int_handler
        mov ecx, 0x8E               ; DPL 0
        call set_gate32
        ; real-mode IVT entry 0x21 for the emulated INT (IOPL=0 session)
        mov word [gs:0x21*4], v86_int21
        mov word [gs:0x21*4+2], PROG_SEG
        mov dword [gs:0x100010], 0

        ; ---- session A: IOPL = 3 --------------------------------------------------
        call mon_reset
        V86ENTER v86_a, 0x3000
        mov ax, SEL_FLAT            ; data segment registers were nulled
        mov gs, ax
        CHECK "v86-leave-int-vec", [exc_vec], 0x31
        CHECK "v86-leave-int-eip", [exc_eip], v86_a.leave_after
        CHECK "v86-leave-int-cs", [exc_cs], PROG_SEG
        mov eax, [exc_eflags]
        and eax, VM | 0x3000
        CHECK "v86-leave-int-eflags", eax, VM | 0x3000
        CHECK "v86-leave-int-ss", [exc_ss], PROG_SEG
        movzx eax, word [va+0]
        CHECK "v86-entry-cs", eax, PROG_SEG
        movzx eax, word [va+2]
        CHECK "v86-entry-ds", eax, PROG_SEG
        movzx eax, word [va+4]
        CHECK "v86-entry-es", eax, 0x2000
        movzx eax, word [va+6]
        CHECK "v86-entry-fs", eax, 0x3000
        movzx eax, word [va+8]
        CHECK "v86-entry-gs", eax, 0x4000
        movzx eax, word [va+10]
        CHECK "v86-entry-ss", eax, PROG_SEG
        movzx eax, word [va+12]
        CHECK "v86-entry-sp", eax, V86_SP
        movzx eax, word [va+14]
        CHECK "v86-seg-times-16", eax, 0x1234
        CHECK "v86-seg-linear", [gs:0x20010], 0x1234
        CHECK "v86-hma", [gs:0x100010], 0xF00DFACE
        mov eax, [va+16]
        and eax, VM | 0x3000
        CHECK "v86-pushfd-hides-vm", eax, 0x3000
        movzx eax, word [va+20]
        and eax, 0x200
        CHECK "v86-iopl3-cli", eax, 0
        movzx eax, word [va+22]
        and eax, 0x200
        CHECK "v86-iopl3-sti", eax, 0x200
        movzx eax, word [va+34]
        CHECK "v86-iopl3-iret", eax, 0x1111
        ; INT 0x30 through the IDT
        CHECK "v86-int-ds-zeroed", [iv+0], 0
        CHECK "v86-int-es-zeroed", [iv+4], 0
        CHECK "v86-int-fs-zeroed", [iv+8], 0
        CHECK "v86-int-gs-zeroed", [iv+12], 0
        CHECK "v86-int-stack", [iv+16], ESP0 - 36
        CHECK "v86-int-frame-eip", [iv+20], v86_a.after30
        CHECK "v86-int-frame-cs", [iv+24], PROG_SEG
        mov eax, [iv+28]
        and eax, VM | 0x3000
        CHECK "v86-int-frame-eflags", eax, VM | 0x3000
        CHECK "v86-int-frame-esp", [iv+32], V86_SP - 2
        CHECK "v86-int-frame-ss", [iv+36], PROG_SEG
        CHECK "v86-int-frame-es", [iv+40], 0x2222
        CHECK "v86-int-frame-ds", [iv+44], PROG_SEG
        CHECK "v86-int-frame-fs", [iv+48], 0x3333
        CHECK "v86-int-frame-gs", [iv+52], 0x4444
        CHECK "v86-int-handler-cs", [iv+56], SEL_CODE32
        movzx eax, word [va+24]
        CHECK "v86-iretd-ds", eax, PROG_SEG
        movzx eax, word [va+26]
        CHECK "v86-iretd-es", eax, 0x2222
        movzx eax, word [va+28]
        CHECK "v86-iretd-fs", eax, 0x3333
        movzx eax, word [va+30]
        CHECK "v86-iretd-gs", eax, 0x4444
        movzx eax, word [va+32]
        CHECK "v86-iretd-sp", eax, V86_SP - 2
        movzx eax, word [va+40]
        CHECK "v86-iretd-regs", eax, 0x600D
        ; I/O bitmap
        CHECK "v86-io-gp-count", [mon_io], 2
        CHECK "v86-io-denied-imm", [mon_io_op+0], 0xE6
        CHECK "v86-io-denied-port", [mon_io_port+0], 0x81
        CHECK "v86-io-straddle", [mon_io_op+4], 0xEF
        CHECK "v86-io-straddle-port", [mon_io_port+4], 0x87
        movzx eax, word [va+38]
        CHECK "v86-io-allowed", eax, 0xA110
        ; DPL-0 gate
        CHECK "v86-int-dpl0-gate-err", [mon_gate_err], 0x32*8+2
        CHECK "v86-iopl3-no-emulation", [mon_emul], 0

        ; ---- session B: IOPL = 0, monitor emulation ---------------------------------
        call mon_reset
        V86ENTER v86_b, 0x0000
        mov ax, SEL_FLAT
        mov gs, ax
        CHECK "mon-hlt-exits-vec", [exc_vec], 13
        CHECK "mon-hlt-exits-eip", [exc_eip], v86_b.hlt
        CHECK "mon-errcode-0", [mon_err_or], 0
        CHECK "mon-cli", [mon_cnt + 0*4], 1
        CHECK "mon-sti", [mon_cnt + 1*4], 1
        CHECK "mon-pushf", [mon_cnt + 2*4], 4
        CHECK "mon-popf", [mon_cnt + 3*4], 1
        CHECK "mon-int", [mon_cnt + 4*4], 1
        CHECK "mon-iret", [mon_cnt + 5*4], 1
        movzx eax, word [vb+0]
        and eax, 0x200
        CHECK "vif-after-cli", eax, 0
        movzx eax, word [vb+2]
        and eax, 0x200
        CHECK "vif-after-sti", eax, 0x200
        movzx eax, word [vb+4]
        CHECK "popf-emulated-cf", eax, 1
        movzx eax, word [vb+6]
        and eax, 0x201
        CHECK "popf-emulated-flags", eax, 0x001
        movzx eax, word [vb+8]
        CHECK "int21-emulated-result", eax, 0x2121
        movzx eax, word [vb+10]
        and eax, 0x200
        CHECK "int21-emulated-if-clear", eax, 0
        movzx eax, word [vb+12]
        CHECK "int21-iret-back-cs", eax, PROG_SEG
        movzx eax, word [vb+14]
        CHECK "int21-iret-back-sp", eax, V86_SP
        CHECK "v86-iopl0-io-allowed", [mon_io], 0
        CHECK "v86-int3-not-iopl-sensitive", [iv+20], v86_b.after3
        CHECK "v86-int3-handler-ds", [iv+0], 0
        mov eax, [iv+28]
        and eax, VM | 0x3000
        CHECK "v86-int3-frame-eflags", eax, VM
        DONE

; ---------------------------------------------------------------------------
; ring-0 handlers
; ---------------------------------------------------------------------------
leave_stub:                         ; INT 0x31: leave v86, never returns
        push dword -1
        push dword 0x31
        jmp exc_common

v86_int_handler:                    ; INT 0x30 / INT3 from v86: record, IRETD
        mov dword [ss:iv+0], 0
        mov [ss:iv+0], ds
        mov dword [ss:iv+4], 0
        mov [ss:iv+4], es
        mov dword [ss:iv+8], 0
        mov [ss:iv+8], fs
        mov dword [ss:iv+12], 0
        mov [ss:iv+12], gs
        mov [ss:iv+16], esp
        push eax
        mov eax, [esp+4]
        mov [ss:iv+20], eax
        mov eax, [esp+8]
        mov [ss:iv+24], eax
        mov eax, [esp+12]
        mov [ss:iv+28], eax
        mov eax, [esp+16]
        mov [ss:iv+32], eax
        mov eax, [esp+20]
        mov [ss:iv+36], eax
        mov eax, [esp+24]
        mov [ss:iv+40], eax
        mov eax, [esp+28]
        mov [ss:iv+44], eax
        mov eax, [esp+32]
        mov [ss:iv+48], eax
        mov eax, [esp+36]
        mov [ss:iv+52], eax
        mov dword [ss:iv+56], 0
        mov [ss:iv+56], cs
        pop eax
        iretd

mon_reset:
        push edi
        push ecx
        push eax
        mov edi, mon_vars
        mov ecx, (mon_vars_end - mon_vars) / 4
        xor eax, eax
        rep stosd
        mov dword [vif], 1
        pop eax
        pop ecx
        pop edi
        ret

; #GP handler and v86 monitor.  Frame (after PUSHAD, EBP = ESP):
F_ERR   equ 32
F_EIP   equ 36
F_CS    equ 40
F_FL    equ 44
F_SP    equ 48
F_SS    equ 52
FLMASK  equ 0x0CD5                  ; CF PF AF ZF SF DF OF

v86_monitor:
        test dword [esp+12], VM
        jz exc_stub_13              ; not from v86: the normal catcher
        pushad
        mov ebp, esp
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ax, SEL_FLAT
        mov fs, ax
        mov eax, [ebp+F_ERR]
        test eax, eax
        jz .emulate
        ; INT n through a gate with DPL < 3: record and skip the instruction
        mov [mon_gate_err], eax
        add word [ebp+F_EIP], 2
        jmp .out
.emulate:
        call .lin_ip                ; ESI = linear CS:IP
        movzx eax, byte [fs:esi]
        cmp al, 0xFA
        je .cli
        cmp al, 0xFB
        je .sti
        cmp al, 0x9C
        je .pushf
        cmp al, 0x9D
        je .popf
        cmp al, 0xCD
        je .int
        cmp al, 0xCF
        je .iret
        cmp al, 0xE6
        je .io2
        cmp al, 0xE7
        je .io2
        cmp al, 0xE4
        je .io2
        cmp al, 0xE5
        je .io2
        cmp al, 0xEE
        je .io1
        cmp al, 0xEF
        je .io1
        cmp al, 0xEC
        je .io1
        cmp al, 0xED
        je .io1
        ; HLT or anything else: leave v86 through the normal catcher
        popad
        jmp exc_stub_13

.cli:   inc dword [mon_cnt + 0*4]
        inc dword [mon_emul]
        mov dword [vif], 0
        inc word [ebp+F_EIP]
        jmp .out
.sti:   inc dword [mon_cnt + 1*4]
        inc dword [mon_emul]
        mov dword [vif], 1
        inc word [ebp+F_EIP]
        jmp .out
.pushf: inc dword [mon_cnt + 2*4]
        inc dword [mon_emul]
        call .flags16
        call .push16
        inc word [ebp+F_EIP]
        jmp .out
.popf:  inc dword [mon_cnt + 3*4]
        inc dword [mon_emul]
        call .pop16
        call .setflags16
        inc word [ebp+F_EIP]
        jmp .out
.int:   inc dword [mon_cnt + 4*4]
        inc dword [mon_emul]
        movzx ebx, byte [fs:esi+1]  ; vector
        call .flags16
        call .push16                ; FLAGS
        mov ax, [ebp+F_CS]
        call .push16                ; CS
        mov ax, [ebp+F_EIP]
        add ax, 2
        call .push16                ; IP after INT n
        mov ax, [fs:ebx*4]
        mov [ebp+F_EIP], eax
        mov word [ebp+F_EIP+2], 0
        mov ax, [fs:ebx*4+2]
        mov [ebp+F_CS], ax
        mov dword [vif], 0
        and dword [ebp+F_FL], ~0x100    ; TF
        jmp .out
.iret:  inc dword [mon_cnt + 5*4]
        inc dword [mon_emul]
        call .pop16
        mov [ebp+F_EIP], eax
        mov word [ebp+F_EIP+2], 0
        call .pop16
        mov [ebp+F_CS], ax
        call .pop16
        call .setflags16
        jmp .out
.io2:   mov ecx, 2
        movzx eax, byte [fs:esi+1]
        jmp .io
.io1:   mov ecx, 1
        movzx eax, word [ebp+20]    ; saved EDX (pushad order)
.io:    mov ebx, [mon_io]
        mov [mon_io_port + ebx*4], eax
        movzx eax, byte [fs:esi]
        mov [mon_io_op + ebx*4], eax
        inc dword [mon_io]
        add [ebp+F_EIP], cx
.out:   mov eax, [ebp+F_ERR]
        or [mon_err_or], eax
        popad
        add esp, 4                  ; error code
        iretd

.lin_ip:                            ; ESI = CS*16 + IP
        movzx esi, word [ebp+F_CS]
        shl esi, 4
        movzx eax, word [ebp+F_EIP]
        add esi, eax
        ret
.flags16:                           ; AX = 16-bit FLAGS image with virtual IF
        mov eax, [ebp+F_FL]
        and eax, 0xFDFF
        cmp dword [vif], 0
        je .f0
        or eax, 0x200
.f0:    ret
.setflags16:                        ; AX -> arithmetic flags and virtual IF
        mov ecx, eax
        and ecx, FLMASK
        and dword [ebp+F_FL], ~FLMASK
        or [ebp+F_FL], ecx
        shr eax, 9
        and eax, 1
        mov [vif], eax
        ret
.push16:                            ; push AX on the v86 stack
        push edi
        sub word [ebp+F_SP], 2
        movzx edi, word [ebp+F_SS]
        shl edi, 4
        push eax
        movzx eax, word [ebp+F_SP]
        add edi, eax
        pop eax
        mov [fs:edi], ax
        pop edi
        ret
.pop16:                             ; pop the v86 stack into EAX (16 bits)
        push edi
        movzx edi, word [ebp+F_SS]
        shl edi, 4
        movzx eax, word [ebp+F_SP]
        add edi, eax
        movzx eax, word [fs:edi]
        add word [ebp+F_SP], 2
        pop edi
        ret

; ---------------------------------------------------------------------------
; v8086 code (CS = PROG_SEG)
; ---------------------------------------------------------------------------
        bits 16
v86_a:                              ; IOPL = 3
        mov [va+0], cs
        mov [va+2], ds
        mov [va+4], es
        mov [va+6], fs
        mov [va+8], gs
        mov [va+10], ss
        mov [va+12], sp
        ; segment * 16 + offset
        mov ax, 0x2000
        mov es, ax
        mov word [es:0x10], 0x1234
        mov ax, 0x2001
        mov fs, ax
        mov ax, [fs:0]
        mov [va+14], ax
        mov ax, 0xFFFF
        mov es, ax
        mov dword [es:0x20], 0xF00DFACE
        ; flags
        pushfd
        pop dword [va+16]
        cli
        pushf
        pop word [va+20]
        sti
        pushf
        pop word [va+22]
        cli
        ; a native real-mode style IRET (IOPL = 3)
        mov word [va+34], 0
        pushf
        push cs
        push word .iret_to
        iret
        mov word [va+34], 0xBAD
.iret_to:
        mov word [va+34], 0x1111
        ; INT n through the protected-mode IDT
        mov ax, 0x2222
        mov es, ax
        mov ax, 0x3333
        mov fs, ax
        mov ax, 0x4444
        mov gs, ax
        mov ax, 0x600D
        push ax
        int 0x30
.after30:
        mov [va+24], ds
        mov [va+26], es
        mov [va+28], fs
        mov [va+30], gs
        mov [va+32], sp
        mov [va+40], ax
        pop ax
        ; I/O permission bitmap
        out 0x80, al                ; allowed
        mov dx, 0x86
        out dx, ax                  ; 0x86, 0x87 allowed
        in al, 0x80
        out 0x81, al                ; denied
        mov dx, 0x87
        out dx, ax                  ; 0x87 allowed, 0x88 denied
        mov word [va+38], 0xA110
        ; INT through a DPL-0 gate
        int 0x32
        ; leave
        int 0x31
.leave_after:
        jmp $

v86_b:                              ; IOPL = 0: the monitor emulates
        cli
        pushf
        pop word [vb+0]
        sti
        pushf
        pop word [vb+2]
        mov ax, 0x0003              ; CF=1, IF=0
        push ax
        popf
        mov word [vb+4], 0
        jnc .nc
        mov word [vb+4], 1
.nc:    pushf
        pop word [vb+6]
        mov ax, 0x2222
        int 0x21
        mov [vb+8], ax
        mov [vb+10], bx
        mov [vb+12], cs
        mov [vb+14], sp
        out 0x80, al                ; allowed: I/O is not IOPL-sensitive
        int3
.after3:
.hlt:   hlt
        jmp $

v86_int21:
        mov ax, 0x2121
        pushf
        pop bx
        iret
        bits 32

; ---------------------------------------------------------------------------
; data
; ---------------------------------------------------------------------------
        align 4
va:     times 16 dd 0
vb:     times 8 dd 0
iv:     times 16 dd 0
mon_vars:
vif:            dd 0
mon_cnt:        times 8 dd 0
mon_emul:       dd 0
mon_io:         dd 0
mon_io_port:    times 8 dd 0
mon_io_op:      times 8 dd 0
mon_gate_err:   dd 0
mon_err_or:     dd 0
mon_vars_end:

        align 8
gdt:    GDT_STD
        DESC TSS_BASE, IOMAP + 8192, ACC_P|0x09, 0                 ; 38 TSS
gdt_end:

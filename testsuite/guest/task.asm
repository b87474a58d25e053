; task.asm - hardware task switching (32-bit TSS):
;   JMP to a TSS descriptor (full register save into the old TSS and load
;   from the new one, busy bits, no back link), CALL through a task gate and
;   IRET back through NT and the back link, CALL to a TSS descriptor, INT n
;   through a task gate in the IDT, an exception (#GP with error code)
;   through a task gate, #GP for a busy TSS, #TS for IRET to a non-busy
;   task, LDTR/TR switching, CR3 untouched with paging off, CR0.TS set by
;   every switch, #NM on an x87 instruction with TS=1 (and on WAIT with MP=1),
;   CLTS.
;
;   nasm -f bin -o task.bin task.asm
%include "lib.inc"

SEL_TSS_M   equ 0x38            ; the main task
SEL_TSS_A   equ 0x40            ; JMP target
SEL_TSS_B   equ 0x48            ; via task gate, CALL
SEL_TSS_C   equ 0x50            ; via IDT task gate (INT 0x40) and CALL
SEL_TSS_D   equ 0x58            ; #GP handler task
SEL_TG_B    equ 0x60            ; task gate -> SEL_TSS_B
SEL_LDT_M   equ 0x68            ; LDT of the main task
SEL_LDT_A   equ 0x70            ; LDT of task A
LSEL        equ 0x04            ; first LDT entry, TI=1, RPL 0

CR3_MARK    equ 0x00123000      ; CR3 value (paging off)
CR3_OTHER   equ 0x00456000      ; CR3 field of the other TSSes

A_EFLAGS    equ 0x00000CD7      ; OF DF SF ZF AF PF CF + bit 1
M_EFLAGS    equ 0x00000893      ; OF SF AF CF + bit 1

; TSS eip, esp, eflags, eax, ecx, edx, ebx, ebp, esi, edi,
;     es, cs, ss, ds, fs, gs, ldt
%macro TSS 17
        dd 0                        ; 00 back link
        dd 0, 0, 0, 0, 0, 0         ; 04 ESP0 SS0 ESP1 SS1 ESP2 SS2
        dd CR3_OTHER                ; 1C CR3
        dd %1, %3                   ; 20 EIP, 24 EFLAGS
        dd %4, %5, %6, %7           ; 28 EAX ECX EDX EBX
        dd %2, %8, %9, %10          ; 38 ESP EBP ESI EDI
        dd %11, %12, %13, %14, %15, %16     ; 48 ES CS SS DS FS GS
        dd %17                      ; 60 LDT
        dw 0, 104                   ; 64 T, I/O map base
%endmacro

main:
        ENTER_PM32
        call idt_init32
        mov eax, CR3_MARK
        mov cr3, eax
        mov ax, SEL_LDT_M
        lldt ax
        mov ax, SEL_TSS_M
        ltr ax
        mov eax, cr0
        and eax, ~0x0E              ; EM=0 MP=0 TS=0
        mov cr0, eax
        fninit

        ; ---- JMP to a TSS -------------------------------------------------------
        mov ax, SEL_FLAT
        mov es, ax
        mov ax, SEL_DATA16
        mov fs, ax
        mov ax, LSEL
        mov gs, ax
        mov [m_esp], esp
        mov eax, 0x11110001
        mov ecx, 0x22220002
        mov edx, 0x33330003
        mov ebx, 0x44440004
        mov ebp, 0x55550005
        mov esi, 0x66660006
        mov edi, 0x77770007
        push dword M_EFLAGS
        popfd
.jmp_a: jmp SEL_TSS_A:0
.after_a:
        ; capture what the task switch back restored
        mov [m_regs+0], eax
        mov [m_regs+4], ecx
        mov [m_regs+8], edx
        mov [m_regs+12], ebx
        mov [m_regs+16], esp
        mov [m_regs+20], ebp
        mov [m_regs+24], esi
        mov [m_regs+28], edi
        pushfd
        pop dword [m_regs+32]
        mov [m_regs+36], es
        mov [m_regs+40], fs
        mov [m_regs+44], gs
        mov eax, [gs:0]
        mov [m_regs+48], eax
        push ss
        pop es
        xor eax, eax
        mov fs, ax
        mov gs, ax
        cld

        ; the old (main) TSS received the state at the JMP
        CHECK "save-eip", [tss_m+0x20], .after_a
        CHECK "save-eflags", [tss_m+0x24], M_EFLAGS
        CHECK "save-eax", [tss_m+0x28], 0x11110001
        CHECK "save-ecx", [tss_m+0x2C], 0x22220002
        CHECK "save-edx", [tss_m+0x30], 0x33330003
        CHECK "save-ebx", [tss_m+0x34], 0x44440004
        mov eax, [m_esp]
        CHECK "save-esp", [tss_m+0x38], eax
        CHECK "save-ebp", [tss_m+0x3C], 0x55550005
        CHECK "save-esi", [tss_m+0x40], 0x66660006
        CHECK "save-edi", [tss_m+0x44], 0x77770007
        CHECK "save-es", [tss_m+0x48], SEL_FLAT
        CHECK "save-cs", [tss_m+0x4C], SEL_CODE32
        CHECK "save-ss", [tss_m+0x50], SEL_DATA32
        CHECK "save-ds", [tss_m+0x54], SEL_DATA32
        CHECK "save-fs", [tss_m+0x58], SEL_DATA16
        CHECK "save-gs", [tss_m+0x5C], LSEL
        CHECK "save-ldt-untouched", [tss_m+0x60], SEL_LDT_M
        CHECK "save-cr3-untouched", [tss_m+0x1C], CR3_OTHER
        CHECK "save-link-untouched", [tss_m+0], 0
        ; the new task saw exactly its TSS
        CHECK "load-eax", [a_regs+0], 0xA0A0A001
        CHECK "load-ecx", [a_regs+4], 0xA0A0A002
        CHECK "load-edx", [a_regs+8], 0xA0A0A003
        CHECK "load-ebx", [a_regs+12], 0xA0A0A004
        CHECK "load-esp", [a_regs+16], 0xD000
        CHECK "load-ebp", [a_regs+20], 0xA0A0A005
        CHECK "load-esi", [a_regs+24], 0xA0A0A006
        CHECK "load-edi", [a_regs+28], 0xA0A0A007
        CHECK "load-eflags", [a_regs+32], A_EFLAGS
        CHECK "load-es", [a_regs+36], SEL_FLAT
        CHECK "load-cs", [a_regs+40], SEL_CODE32
        CHECK "load-ss", [a_regs+44], SEL_DATA32
        CHECK "load-ds", [a_regs+48], SEL_DATA32
        CHECK "load-fs-ldt", [a_regs+52], LSEL
        CHECK "load-gs-null", [a_regs+56], 0
        CHECK "load-ldtr", [a_regs+60], SEL_LDT_A
        CHECK "load-tr", [a_regs+64], SEL_TSS_A
        CHECK "load-cr3-unchanged", [a_regs+68], CR3_MARK
        mov eax, [a_regs+72]
        and eax, 8
        CHECK "load-cr0-ts", eax, 8
        CHECK "load-fs-via-new-ldt", [a_regs+76], 0xA1DA1DA1
        CHECK "jmp-busy-new", [a_regs+80], 0x8B
        CHECK "jmp-busy-old-cleared", [a_regs+84], 0x89
        CHECK "jmp-no-backlink", [tss_a+0], 0
        ; and the main task got its registers back
        CHECK "back-eax", [m_regs+0], 0x11110001
        CHECK "back-ecx", [m_regs+4], 0x22220002
        CHECK "back-edx", [m_regs+8], 0x33330003
        CHECK "back-ebx", [m_regs+12], 0x44440004
        mov eax, [m_esp]
        CHECK "back-esp", [m_regs+16], eax
        CHECK "back-ebp", [m_regs+20], 0x55550005
        CHECK "back-esi", [m_regs+24], 0x66660006
        CHECK "back-edi", [m_regs+28], 0x77770007
        CHECK "back-eflags", [m_regs+32], M_EFLAGS
        CHECK "back-es", [m_regs+36], SEL_FLAT
        CHECK "back-fs", [m_regs+40], SEL_DATA16
        CHECK "back-gs-ldt", [m_regs+44], LSEL
        CHECK "back-gs-via-ldt", [m_regs+48], 0x3D3D3D3D
        CHECK "a-saved-eip", [tss_a+0x20], task_a.resume
        movzx eax, byte [gdt + SEL_TSS_A + 5]
        CHECK "back-busy-a-cleared", eax, 0x89
        movzx eax, byte [gdt + SEL_TSS_M + 5]
        CHECK "back-busy-main", eax, 0x8B
        xor eax, eax
        str ax
        CHECK "back-tr", eax, SEL_TSS_M
        sldt ax
        CHECK "back-ldtr", eax, SEL_LDT_M
        mov eax, cr3
        CHECK "back-cr3", eax, CR3_MARK

        ; ---- CR0.TS and #NM -----------------------------------------------------------
        mov eax, cr0
        and eax, 8
        CHECK "ts-set-by-switch", eax, 8
        TFAULT "nm-fpu-ts", 7, none, fninit
        TNOFAULT "wait-ts-mp0", fwait
        mov eax, cr0
        or eax, 2                   ; MP
        mov cr0, eax
        TFAULT "nm-wait-ts-mp1", 7, none, fwait
        clts
        mov eax, cr0
        and eax, 8
        CHECK "clts", eax, 0
        TNOFAULT "fpu-after-clts", fninit
        TNOFAULT "wait-after-clts", fwait
        mov eax, cr0
        and eax, ~2
        mov cr0, eax

        ; ---- CALL through a task gate, IRET back ------------------------------------
        mov eax, 0xB0B0B0B0
        mov [m_esp], esp
.call_b:
        call SEL_TG_B:0
.after_b:
        CHECK "call-gate-eax-back", eax, 0xB0B0B0B0
        mov eax, esp
        CHECK "call-gate-esp-back", eax, [m_esp]
        mov eax, [b_vals+0]
        and eax, 0x4000
        CHECK "call-sets-nt", eax, 0x4000
        CHECK "call-backlink", [b_vals+4], SEL_TSS_M
        CHECK "call-old-stays-busy", [b_vals+8], 0x8B
        CHECK "call-new-busy", [b_vals+12], 0x8B
        CHECK "call-tr", [b_vals+16], SEL_TSS_B
        CHECK "call-saved-eip", [tss_m+0x20], .after_b
        movzx eax, byte [gdt + SEL_TSS_B + 5]
        CHECK "iret-clears-busy", eax, 0x89
        movzx eax, byte [gdt + SEL_TSS_M + 5]
        CHECK "iret-main-busy", eax, 0x8B
        pushfd
        pop eax
        and eax, 0x4000
        CHECK "iret-main-nt-clear", eax, 0
        CHECK "iret-saves-eip", [tss_b+0x20], task_b.resume
        mov eax, [tss_b+0x24]
        and eax, 0x4000
        CHECK "iret-clears-saved-nt", eax, 0
        mov eax, cr0
        and eax, 8
        CHECK "iret-switch-sets-ts", eax, 8
        clts

        ; ---- CALL to a TSS descriptor, INT through a task gate -------------------
        mov dword [c_vals], 0
        call SEL_TSS_C:0
        mov eax, [c_vals+0]
        and eax, 0x4000
        CHECK "call-tss-nt", eax, 0x4000
        CHECK "call-tss-backlink", [c_vals+4], SEL_TSS_M
        CHECK "call-tss-count", [c_count], 1
        mov eax, 0x40
        xor ebx, ebx
        mov ecx, (SEL_TSS_C << 16) | 0x85   ; task gate
        call set_gate32
        mov dword [c_vals], 0
        mov dword [tss_c+4*0], 0
        mov esi, 0x5151AAAA
        int 0x40
.after_int:
        CHECK "int-task-gate-esi-back", esi, 0x5151AAAA
        mov eax, [c_vals+0]
        and eax, 0x4000
        CHECK "int-task-gate-nt", eax, 0x4000
        CHECK "int-task-gate-backlink", [c_vals+4], SEL_TSS_M
        CHECK "int-task-gate-count", [c_count], 2
        CHECK "int-task-gate-saved-eip", [tss_m+0x20], .after_int

        ; ---- busy TSS faults ---------------------------------------------------------------
        TFAULT "jmp-busy-tss", 13, SEL_TSS_M, jmp SEL_TSS_M:0
        TFAULT "call-busy-tss", 13, SEL_TSS_M, call SEL_TSS_M:0
        mov dword [tss_m+0], SEL_TSS_A      ; back link to a non-busy TSS
        CATCH .ts
        pushfd
        or dword [esp], 0x4000
        popfd
        iretd
        CAUGHT .ts
        mov dword [tss_m+0], 0
        CHECK "iret-nonbusy-vec", [exc_vec], 10
        CHECK "iret-nonbusy-err", [exc_err], SEL_TSS_A

        ; ---- an exception through a task gate --------------------------------------
        mov eax, 13
        xor ebx, ebx
        mov ecx, (SEL_TSS_D << 16) | 0x85
        call set_gate32
        mov ax, 0x1FF8 | 3
.gp_insn:
        mov ds, ax                  ; #GP(0x1FF8) -> task D
.gp_recover:
        mov eax, 13
        mov ebx, exc_stub_13
        mov ecx, 0x8E
        call set_gate32
        CHECK "exc-task-errcode", [d_vals+0], 0x1FF8
        CHECK "exc-task-esp", [d_vals+4], 0xB800 - 4
        CHECK "exc-task-backlink", [d_vals+8], SEL_TSS_M
        CHECK "exc-task-fault-eip", [d_vals+12], .gp_insn
        DONE

; ---------------------------------------------------------------------------
; tasks
; ---------------------------------------------------------------------------
task_a:
        mov [a_regs+0], eax
        mov [a_regs+4], ecx
        mov [a_regs+8], edx
        mov [a_regs+12], ebx
        mov [a_regs+16], esp
        mov [a_regs+20], ebp
        mov [a_regs+24], esi
        mov [a_regs+28], edi
        pushfd
        pop dword [a_regs+32]
        mov [a_regs+36], es
        mov [a_regs+40], cs
        mov [a_regs+44], ss
        mov [a_regs+48], ds
        mov [a_regs+52], fs
        mov [a_regs+56], gs
        sldt [a_regs+60]
        str [a_regs+64]
        mov eax, cr3
        mov [a_regs+68], eax
        mov eax, cr0
        mov [a_regs+72], eax
        mov eax, [fs:0]
        mov [a_regs+76], eax
        movzx eax, byte [gdt + SEL_TSS_A + 5]
        mov [a_regs+80], eax
        movzx eax, byte [gdt + SEL_TSS_M + 5]
        mov [a_regs+84], eax
        jmp SEL_TSS_M:0
.resume:
        jmp task_a

task_b:
        pushfd
        pop dword [b_vals+0]
        mov eax, [tss_b+0]
        mov [b_vals+4], eax
        movzx eax, byte [gdt + SEL_TSS_M + 5]
        mov [b_vals+8], eax
        movzx eax, byte [gdt + SEL_TSS_B + 5]
        mov [b_vals+12], eax
        str [b_vals+16]
        mov eax, 0xBBBBBBBB         ; must not leak into the caller
        iretd
.resume:
        jmp task_b

task_c:
        pushfd
        pop dword [c_vals+0]
        mov eax, [tss_c+0]
        mov [c_vals+4], eax
        inc dword [c_count]
        mov esi, 0xCCCCCCCC
        iretd
        jmp task_c

task_d:                             ; #GP handler task
        mov eax, [esp]              ; error code pushed on the new task's stack
        mov [d_vals+0], eax
        mov [d_vals+4], esp
        mov eax, [tss_d+0]
        mov [d_vals+8], eax
        mov eax, [tss_m+0x20]
        mov [d_vals+12], eax
        mov dword [tss_m+0x20], main.gp_recover
        iretd
        jmp task_d

; ---------------------------------------------------------------------------
; data
; ---------------------------------------------------------------------------
        align 4
m_esp:  dd 0
m_regs: times 16 dd 0
a_regs: times 24 dd 0
b_vals: times 8 dd 0
c_vals: times 8 dd 0
c_count: dd 0
d_vals: times 8 dd 0
a_data: dd 0xA1DA1DA1
m_data: dd 0x3D3D3D3D

        align 8
ldt_m:  DESC m_data - $$ + PROG_BASE, 3, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D
ldt_a:  DESC a_data - $$ + PROG_BASE, 3, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D

        align 8
tss_m:  TSS 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SEL_LDT_M
tss_a:  TSS task_a, 0xD000, A_EFLAGS, 0xA0A0A001, 0xA0A0A002, 0xA0A0A003, \
            0xA0A0A004, 0xA0A0A005, 0xA0A0A006, 0xA0A0A007, \
            SEL_FLAT, SEL_CODE32, SEL_DATA32, SEL_DATA32, LSEL, 0, SEL_LDT_A
tss_b:  TSS task_b, 0xC800, 2, 0, 0, 0, 0, 0, 0, 0, \
            SEL_DATA32, SEL_CODE32, SEL_DATA32, SEL_DATA32, 0, 0, 0
tss_c:  TSS task_c, 0xC000, 2, 0, 0, 0, 0, 0, 0, 0, \
            SEL_DATA32, SEL_CODE32, SEL_DATA32, SEL_DATA32, 0, 0, 0
tss_d:  TSS task_d, 0xB800, 2, 0, 0, 0, 0, 0, 0, 0, \
            SEL_DATA32, SEL_CODE32, SEL_DATA32, SEL_DATA32, 0, 0, 0

        align 8
gdt:    GDT_STD
        DESC tss_m - $$ + PROG_BASE, 103, ACC_P|0x09, 0     ; 38
        DESC tss_a - $$ + PROG_BASE, 103, ACC_P|0x09, 0     ; 40
        DESC tss_b - $$ + PROG_BASE, 103, ACC_P|0x09, 0     ; 48
        DESC tss_c - $$ + PROG_BASE, 103, ACC_P|0x09, 0     ; 50
        DESC tss_d - $$ + PROG_BASE, 103, ACC_P|0x09, 0     ; 58
        GATE SEL_TSS_B, 0, 0x85, 0                          ; 60 task gate
        DESC ldt_m - $$ + PROG_BASE, 7, ACC_P|0x02, 0       ; 68
        DESC ldt_a - $$ + PROG_BASE, 7, ACC_P|0x02, 0       ; 70
gdt_end:

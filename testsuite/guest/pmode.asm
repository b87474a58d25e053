; pmode.asm - protected-mode segmentation from the inside:
;   descriptor tables (SGDT/SIDT/SMSW/STR/SLDT, LTR busy bit, accessed bit),
;   segment limits (byte and page granular, expand-down with B=0/B=1),
;   read-only / execute-only segments, #GP/#NP/#SS error codes for bad
;   segment loads, LAR/LSL/VERR/VERW/ARPL, the descriptor cache, 16-bit PM,
;   the return to real mode, A20/HMA and "unreal" (big real) mode.
;
;   nasm -f bin -o pmode.bin pmode.asm
%include "lib.inc"

SCRATCH     equ 0x200000        ; flat scratch memory (reached via SEL_FLAT)

SEL_LIM     equ 0x38            ; data  base SCRATCH, limit 0xFFF (bytes)
SEL_NP      equ 0x40            ; data  not present
SEL_PGLIM   equ 0x48            ; data  base SCRATCH, limit 1, G=1 -> 0x1FFF
SEL_ED32    equ 0x50            ; expand-down, B=1, base ED_BASE, limit 0xFFF
SEL_ED16    equ 0x58            ; expand-down, B=0, base ED_BASE, limit 0xFFF
SEL_RO      equ 0x60            ; read-only data, base SCRATCH
SEL_XO      equ 0x68            ; execute-only 32-bit code, base PROG_BASE
SEL_D3      equ 0x70            ; data DPL 3, base SCRATCH
SEL_NOACC   equ 0x78            ; data with the accessed bit clear
SEL_TSS     equ 0x80            ; 32-bit TSS (available)
SEL_CGATE   equ 0x88            ; call gate, DPL 0
SEL_IGATE   equ 0x90            ; interrupt gate descriptor (invalid in GDT)
SEL_LDT     equ 0x98            ; LDT
SEL_CONF    equ 0xA0            ; conforming readable code, DPL 0
SEL_SMALLC  equ 0xA8            ; 32-bit code, limit 0xFFF
SEL_SSTACK  equ 0xB0            ; stack data, base PROG_BASE, limit 0xFFFF
SEL_MOVE    equ 0xB8            ; data whose base is changed at run time
SEL_NPCODE  equ 0xC0            ; code not present
SEL_C3      equ 0xC8            ; readable code DPL 3
ED_BASE     equ SCRATCH + 0x10000
LDT_BASE    equ SCRATCH + 0x20000

main:
        call ivt_init16
        CHECK "rm-start", 1, 1

        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov gs, ax                  ; GS = flat for the whole PM part
        mov dword [gs:0x100010], 0xCAFEBABE

        ; ---- system registers -------------------------------------------
        smsw ax
        movzx eax, ax
        and eax, 1
        CHECK "cr0-pe", eax, 1
        mov ecx, cr0
        smsw ax
        movzx eax, ax
        and ecx, 0xFFFF
        CHECK "smsw-reg", eax, ecx
        mov dword [buf], 0xFFFFFFFF
        smsw [buf]
        movzx eax, word [buf+2]
        CHECK "smsw-mem-16bit", eax, 0xFFFF
        movzx eax, word [buf]
        CHECK "smsw-mem", eax, ecx

        mov dword [buf], 0
        mov dword [buf+4], 0
        sgdt [buf]
        movzx eax, word [buf]
        CHECK "sgdt-limit", eax, gdt_end - gdt - 1
        CHECK "sgdt-base", [buf+2], gdt + PROG_BASE
        sidt [buf]
        movzx eax, word [buf]
        CHECK "sidt-limit", eax, 0x7FF
        CHECK "sidt-base", [buf+2], idt + PROG_BASE

        ; LTR marks the TSS busy; STR reads it back; LTR of a busy TSS = #GP
        mov ax, SEL_TSS
        ltr ax
        xor eax, eax
        str ax
        CHECK "str", eax, SEL_TSS
        movzx eax, byte [gdt + SEL_TSS + 5]
        CHECK "ltr-sets-busy", eax, 0x8B
        mov ax, SEL_TSS
        TFAULT "ltr-busy", 13, SEL_TSS, ltr ax
        mov ax, SEL_LDT
        lldt ax
        xor eax, eax
        sldt ax
        CHECK "sldt", eax, SEL_LDT

        ; ---- accessed bit ---------------------------------------------------
        movzx eax, byte [gdt + SEL_NOACC + 5]
        CHECK "acc-before", eax, 0x92
        mov ax, SEL_NOACC
        mov es, ax
        push ss
        pop es
        movzx eax, byte [gdt + SEL_NOACC + 5]
        CHECK "acc-set-on-load", eax, 0x93

        ; ---- limits -----------------------------------------------------------
        mov ax, SEL_LIM
        mov es, ax
        TNOFAULT "lim-last-byte", mov al, [es:0xFFF]
        mov ax, SEL_LIM
        mov es, ax
        TFAULTQ "lim-byte-over", 13, 0, mov al, [es:0x1000]
        mov ax, SEL_LIM
        mov es, ax
        TFAULTQ "lim-word-straddle", 13, 0, mov ax, [es:0xFFF]
        mov ax, SEL_LIM
        mov es, ax
        TFAULTQ "lim-dword-write", 13, 0, mov dword [es:0xFFD], 0
        mov ax, SEL_PGLIM
        mov es, ax
        TNOFAULT "lim-g-last", mov al, [es:0x1FFF]
        mov ax, SEL_PGLIM
        mov es, ax
        TFAULTQ "lim-g-over", 13, 0, mov al, [es:0x2000]

        ; expand-down, B=1: valid offsets 0x1000 .. 0xFFFFFFFF
        mov ax, SEL_ED32
        mov es, ax
        TNOFAULT "ed32-low-ok", mov dword [es:0x1000], 0xA1B2C3D4
        CHECK "ed32-low-base", [gs:ED_BASE + 0x1000], 0xA1B2C3D4
        mov ax, SEL_ED32
        mov es, ax
        TNOFAULT "ed32-top-ok", mov dword [es:0xFFFFFFFC], 0x5A5A1234
        CHECK "ed32-top-wraps", [gs:ED_BASE - 4], 0x5A5A1234
        mov ax, SEL_ED32
        mov es, ax
        TFAULTQ "ed32-below", 13, 0, mov al, [es:0xFFF]
        mov ax, SEL_ED32
        mov es, ax
        TFAULTQ "ed32-straddle", 13, 0, mov eax, [es:0xFFE]
        ; expand-down, B=0: valid offsets 0x1000 .. 0xFFFF
        mov dword [gs:ED_BASE + 0xFFFC], 0
        mov ax, SEL_ED16
        mov es, ax
        TNOFAULT "ed16-top-ok", mov byte [es:0xFFFF], 0x77
        CHECK "ed16-top-base", [gs:ED_BASE + 0xFFFC], 0x77000000
        mov ax, SEL_ED16
        mov es, ax
        TFAULTQ "ed16-above-64k", 13, 0, mov al, [es:0x10000]
        mov ax, SEL_ED16
        mov es, ax
        TFAULTQ "ed16-word-top", 13, 0, mov ax, [es:0xFFFF]
        mov eax, SEL_ED16
        lsl ecx, eax
        CHECK "ed-lsl", ecx, 0xFFF

        ; access rights at use time
        mov ax, SEL_RO
        mov es, ax
        TNOFAULT "ro-read", mov eax, [es:0]
        mov ax, SEL_RO
        mov es, ax
        TFAULTQ "ro-write", 13, 0, mov [es:0x100], eax
        TFAULTQ "cs-write", 13, 0, mov [cs:cs_target], eax
        xor eax, eax
        mov es, ax
        CHECK "null-load-ok", 1, 1
        TFAULTQ "null-use", 13, 0, mov eax, [es:SCRATCH]

        ; ---- #SS on an access through SS beyond its limit -----------------
        CATCH .ss1
        mov ax, SEL_SSTACK
        mov ss, ax
        mov ebp, 0x20000
        mov eax, [ebp]
        CAUGHT .ss1
        mov ax, SEL_DATA32
        mov ss, ax
        CHECKQ "ss-limit-vec", [exc_vec], 12
        CHECKQ "ss-limit-err", [exc_err], 0

        ; ---- segment loads: error codes --------------------------------------
        mov ax, SEL_NP
        TFAULT "ds-notpresent", 11, SEL_NP, mov ds, ax
        mov ax, SEL_XO
        TFAULT "ds-execonly", 13, SEL_XO, mov ds, ax
        mov ax, SEL_TSS
        TFAULT "ds-system", 13, SEL_TSS, mov ds, ax
        mov ax, gdt_end - gdt
        TFAULT "ds-beyond-gdt", 13, gdt_end - gdt, mov ds, ax
        mov ax, (gdt_end - gdt + 8) | 3
        TFAULT "ds-beyond-rpl", 13, gdt_end - gdt + 8, mov ds, ax
        mov ax, SEL_DATA32 | 3
        TFAULT "ds-rpl-gt-dpl", 13, SEL_DATA32, mov ds, ax
        mov ax, SEL_CODE32 | 3
        TFAULT "ds-code-rpl", 13, SEL_CODE32, mov ds, ax
        mov ax, SEL_D3 | 3
        TNOFAULT "ds-dpl3-ok", mov ds, ax
        mov ax, SEL_CONF | 3
        TNOFAULT "ds-conforming-ok", mov ds, ax
        mov ax, SEL_CONF | 3
        mov es, ax
        mov eax, [es:cs_target2]
        push ss
        pop es
        CHECK "conforming-read", eax, 0x600DC0DE
        xor eax, eax
        TFAULT "ss-null", 13, 0, mov ss, ax
        mov ax, SEL_NP
        TFAULT "ss-notpresent", 12, SEL_NP, mov ss, ax
        mov ax, SEL_RO
        TFAULT "ss-readonly", 13, SEL_RO, mov ss, ax
        mov ax, SEL_D3
        TFAULT "ss-dpl-ne-cpl", 13, SEL_D3, mov ss, ax
        mov ax, SEL_DATA32 | 3
        TFAULT "ss-rpl-ne-cpl", 13, SEL_DATA32, mov ss, ax
        mov ax, SEL_CODE32
        TFAULT "ss-code", 13, SEL_CODE32, mov ss, ax
        TFAULT "jmp-data", 13, SEL_DATA32, jmp SEL_DATA32:0
        TFAULT "jmp-null", 13, 0, jmp 0:0
        TFAULT "jmp-notpresent", 11, SEL_NPCODE, jmp SEL_NPCODE:0
        CATCH .jl
.jmp_far:
        jmp SEL_SMALLC:0x2000
        CAUGHT .jl
        CHECK "jmp-cs-limit-vec", [exc_vec], 13
        CHECK "jmp-cs-limit-err", [exc_err], 0
        CHECK "jmp-cs-limit-eip", [exc_eip], .jmp_far

        ; ---- LDT ------------------------------------------------------------
        mov dword [gs:LDT_BASE], 0xFFFF          ; LDT entry 0: data RW,
        mov dword [gs:LDT_BASE + 4], 0x00409323  ; base 0x230000
        mov dword [gs:LDT_BASE + 8], 0           ; entry 1: null-ish, not present
        mov dword [gs:LDT_BASE + 12], 0x00401200
        mov eax, 0x600D1D7
        mov dword [gs:SCRATCH + 0x30000 + 0x40], eax
        mov ax, 0x04
        mov es, ax
        mov eax, [es:0x40]
        push ss
        pop es
        CHECK "ldt-load-read", eax, 0x600D1D7
        mov ax, 0x0C
        TFAULT "ldt-notpresent", 11, 0x0C, mov es, ax
        mov ax, 0x1C | 3
        TFAULT "ldt-beyond", 13, 0x1C, mov es, ax
        xor ax, ax
        lldt ax
        mov ax, 0x04
        TFAULT "ldt-null-ldtr", 13, 0x04, mov es, ax

        ; ---- LAR / LSL / VERR / VERW / ARPL -----------------------------------
%macro ZF_EAX 0
        setz al
        movzx eax, al
%endmacro
        mov ecx, SEL_CODE32
        lar eax, ecx
        and eax, 0x00F0FF00
        CHECK "lar-code32", eax, 0x00C09B00
        mov ecx, SEL_DATA16
        lar eax, ecx
        and eax, 0x00F0FF00
        CHECK "lar-data16", eax, 0x00009300
        mov ecx, SEL_TSS
        lar eax, ecx
        and eax, 0x00F0FF00
        CHECK "lar-tss-busy", eax, 0x00008B00
        mov ecx, SEL_CGATE
        lar eax, ecx
        ZF_EAX
        CHECK "lar-callgate-zf", eax, 1
        mov ecx, SEL_IGATE
        mov eax, 0x11111111
        lar eax, ecx
        ZF_EAX
        CHECK "lar-intgate-zf", eax, 0
        mov eax, 0x11111111
        mov ecx, gdt_end - gdt
        lar eax, ecx
        CHECK "lar-invalid-keeps", eax, 0x11111111
        mov ecx, 0
        lar eax, ecx
        ZF_EAX
        CHECK "lar-null-zf", eax, 0
        mov ecx, SEL_D3 | 3
        lar eax, ecx
        ZF_EAX
        CHECK "lar-dpl3-zf", eax, 1
        mov ecx, SEL_DATA32 | 3
        lar eax, ecx
        ZF_EAX
        CHECK "lar-rpl-priv-zf", eax, 0
        mov ecx, SEL_LIM
        lsl eax, ecx
        CHECK "lsl-bytes", eax, 0xFFF
        mov ecx, SEL_PGLIM
        lsl eax, ecx
        CHECK "lsl-pages", eax, 0x1FFF
        mov ecx, SEL_DATA32
        lsl eax, ecx
        CHECK "lsl-4g", eax, 0xFFFFFFFF
        mov ecx, SEL_TSS
        lsl eax, ecx
        CHECK "lsl-tss", eax, 0x67
        mov ecx, SEL_LDT
        lsl eax, ecx
        CHECK "lsl-ldt", eax, 0x17
        mov ecx, SEL_CGATE
        mov eax, 0x22222222
        lsl eax, ecx
        ZF_EAX
        CHECK "lsl-callgate-zf", eax, 0
        mov ecx, SEL_NP
        lsl eax, ecx
        ZF_EAX
        CHECK "lsl-notpresent-zf", eax, 1
        mov cx, SEL_LIM
        mov eax, 0xAAAA5555
        lsl ax, cx
        CHECK "lsl-16bit", eax, 0xAAAA0FFF

        mov ax, SEL_CODE32
        verr ax
        ZF_EAX
        CHECK "verr-code-readable", eax, 1
        mov ax, SEL_XO
        verr ax
        ZF_EAX
        CHECK "verr-execonly", eax, 0
        mov ax, SEL_RO
        verr ax
        ZF_EAX
        CHECK "verr-ro", eax, 1
        mov ax, SEL_DATA32 | 3
        verr ax
        ZF_EAX
        CHECK "verr-rpl3-dpl0", eax, 0
        mov ax, SEL_CONF | 3
        verr ax
        ZF_EAX
        CHECK "verr-conforming-rpl3", eax, 1
        mov ax, SEL_TSS
        verr ax
        ZF_EAX
        CHECK "verr-system", eax, 0
        xor ax, ax
        verr ax
        ZF_EAX
        CHECK "verr-null", eax, 0
        mov ax, SEL_DATA32
        verw ax
        ZF_EAX
        CHECK "verw-data", eax, 1
        mov ax, SEL_RO
        verw ax
        ZF_EAX
        CHECK "verw-ro", eax, 0
        mov ax, SEL_CODE32
        verw ax
        ZF_EAX
        CHECK "verw-code", eax, 0
        mov ax, SEL_D3 | 3
        verw ax
        ZF_EAX
        CHECK "verw-dpl3", eax, 1

        mov ax, 0x0010
        mov bx, 0x0003
        arpl ax, bx
        ZF_EAX
        CHECK "arpl-adjust-zf", eax, 1
        mov ax, 0x0010
        arpl ax, bx
        movzx eax, ax
        CHECK "arpl-adjust", eax, 0x13
        mov ax, 0x0013
        mov bx, 0x0001
        arpl ax, bx
        ZF_EAX
        CHECK "arpl-keep-zf", eax, 0

        ; ---- the descriptor cache ---------------------------------------------
        mov dword [gs:SCRATCH + 0x40000], 0x11111111
        mov dword [gs:SCRATCH + 0x40100], 0x22222222
        mov ax, SEL_MOVE
        mov fs, ax
        mov byte [gdt + SEL_MOVE + 3], 0x01      ; base bits 15:8 -> base += 0x100
        mov eax, [fs:0]
        CHECK "desc-cache-old-base", eax, 0x11111111
        mov ax, SEL_MOVE
        mov fs, ax
        mov eax, [fs:0]
        CHECK "desc-cache-reload", eax, 0x22222222

        ; ---- 16-bit protected mode ----------------------------------------------
        jmp SEL_CODE16:pm16
        bits 16
pm16:   mov ax, SEL_DATA16
        mov ds, ax
        mov es, ax
        mov ss, ax
        smsw ax
        and ax, 1
        movzx eax, ax
        CHECK "pm16-pe", eax, 1
        mov bx, sp
        call .f
.f:     mov cx, sp
        pop ax
        sub bx, cx
        movzx eax, bx
        CHECK "pm16-call-pushes-2", eax, 2
        mov bx, sp
        push eax
        mov cx, sp
        pop eax
        sub bx, cx
        movzx eax, bx
        CHECK "pm16-push32-pushes-4", eax, 4
        mov ecx, 0x12345678
        mov [buf], ecx              ; DS = 64 KiB program data
        mov eax, [buf]
        CHECK "pm16-addr16", eax, 0x12345678
        jmp dword SEL_CODE32:pm32b
        bits 32
pm32b:  mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        CHECK "pm32-back", 1, 1

        ; ---- back to real mode ------------------------------------------------------
        mov dword [gs:SCRATCH + 0x300], 0x0BADC0DE
        mov ax, SEL_FLAT
        mov fs, ax                  ; FS keeps a 4 GiB limit into real mode
        jmp SEL_CODE16:.p16
        bits 16
.p16:   mov ax, SEL_DATA16
        mov ds, ax
        mov es, ax
        mov gs, ax
        mov ss, ax
        mov eax, cr0
        and eax, 0x7FFFFFFE
        mov cr0, eax
        jmp PROG_SEG:.rm
.rm:    mov ax, PROG_SEG
        mov ds, ax
        mov es, ax
        mov gs, ax
        mov ss, ax
        lidt [cs:rm_idtr]
        smsw ax
        and ax, 1
        movzx eax, ax
        CHECK "rm-pe-clear", eax, 0
        ; real-mode addressing: segment * 16 + offset
        mov ax, 0x3000
        mov es, ax
        mov dword [es:0x10], 0x600DF00D
        mov ax, 0x3001
        mov es, ax
        mov eax, [es:0]
        CHECK "rm-seg-arith", eax, 0x600DF00D
        ; HMA with A20 on: FFFF:0020 = linear 0x100010
        mov ax, 0xFFFF
        mov es, ax
        mov eax, [es:0x20]
        CHECK "rm-hma-a20", eax, 0xCAFEBABE
        ; unreal mode: FS reloaded in real mode keeps its 4 GiB limit
        xor ax, ax
        mov fs, ax
        mov eax, [fs:dword SCRATCH + 0x300]
        CHECK "unreal-read", eax, 0x0BADC0DE
        mov dword [fs:dword SCRATCH + 0x304], 0x13572468
        mov eax, [fs:dword SCRATCH + 0x304]
        CHECK "unreal-write", eax, 0x13572468
        ; while DS (64 KiB limit) faults beyond 0xFFFF
        TFAULTQ "rm-limit-32bit-offset", 13, none, mov eax, [dword 0x10000]
        ; IVT interrupt still works
        push es
        xor ax, ax
        mov es, ax
        mov word [es:0x40*4], rm_int40
        mov word [es:0x40*4+2], PROG_SEG
        pop es
        mov eax, 0
        int 0x40
        CHECK "rm-int-ivt", eax, 0x40404040
        DONE

rm_int40:
        mov eax, 0x40404040
        iret

        bits 32
        align 4
buf:            times 16 db 0
cs_target:      dd 0
cs_target2:     dd 0x600DC0DE

        align 8
tss:    times 104 db 0
tss_end:

        align 8
gdt:    GDT_STD
        DESC SCRATCH,    0x00FFF, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D              ; 38 LIM
        DESC SCRATCH,    0x0FFFF, ACC_DATA|ACC_RW|ACC_A, FL_D                    ; 40 NP
        DESC SCRATCH,    0x00001, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_G|FL_D         ; 48 PGLIM
        DESC ED_BASE,    0x00FFF, ACC_P|ACC_DATA|ACC_RW|ACC_ED|ACC_A, FL_D       ; 50 ED32
        DESC ED_BASE,    0x00FFF, ACC_P|ACC_DATA|ACC_RW|ACC_ED|ACC_A, 0          ; 58 ED16
        DESC SCRATCH,    0x0FFFF, ACC_P|ACC_DATA|ACC_A, FL_D                     ; 60 RO
        DESC PROG_BASE,  0xFFFFF, ACC_P|ACC_CODE|ACC_A, FL_G|FL_D                ; 68 XO
        DESC SCRATCH,    0x0FFFF, ACC_P|ACC_DPL(3)|ACC_DATA|ACC_RW|ACC_A, FL_D   ; 70 D3
        DESC SCRATCH,    0x0FFFF, ACC_P|ACC_DATA|ACC_RW, FL_D                    ; 78 NOACC
        DESC tss - $$ + PROG_BASE, tss_end - tss - 1, ACC_P|0x09, 0              ; 80 TSS
        GATE SEL_CODE32, 0, 0x8C, 0                                              ; 88 CGATE
        GATE SEL_CODE32, 0, 0x8E, 0                                              ; 90 IGATE
        DESC LDT_BASE,   0x17, ACC_P|0x02, 0                                     ; 98 LDT
        DESC PROG_BASE,  0xFFFFF, ACC_P|ACC_CODE|ACC_RW|ACC_CONF|ACC_A, FL_G|FL_D ; A0 CONF
        DESC PROG_BASE,  0x00FFF, ACC_P|ACC_CODE|ACC_RW|ACC_A, FL_D              ; A8 SMALLC
        DESC PROG_BASE,  0x0FFFF, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D              ; B0 SSTACK
        DESC SCRATCH + 0x40000, 0xFFFF, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D        ; B8 MOVE
        DESC PROG_BASE,  0xFFFFF, ACC_CODE|ACC_RW|ACC_A, FL_G|FL_D               ; C0 NPCODE
        DESC PROG_BASE,  0xFFFFF, ACC_P|ACC_DPL(3)|ACC_CODE|ACC_RW|ACC_A, FL_G|FL_D ; C8 C3
gdt_end:

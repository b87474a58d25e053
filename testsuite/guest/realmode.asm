; realmode.asm - real-mode behaviour of a 386+ CPU:
;   operand/address-size prefixes, 16-bit offset and stack wrap-around, #GP
;   and #SS for a word access at offset 0xFFFF, IVT-based INT/IRET (frame,
;   IF/TF cleared, FLAGS restored), exceptions through the IVT (#DE/#UD/#BP/
;   #OF frames), PUSHA/POPA/PUSHAD, PUSH SP, ENTER/LEAVE with nesting levels,
;   REP string instructions with segment overrides and DF, the BCD adjusts,
;   the CPUID/AC flag probes, BSWAP, CMPXCHG, XADD, CMPXCHG8B, CMOVcc, SETcc,
;   BT/BTS/BTR/BTC with memory bit offsets outside the operand, SHLD/SHRD,
;   BSF/BSR (zero source), MUL/IMUL flags, DIV/IDIV results and #DE,
;   IOPL/NT writable by POPF in real mode, LDS/LES/LSS, far CALL/RETF, XLAT.
;
;   nasm -f bin -o realmode.bin realmode.asm
%include "lib.inc"

SCR_SEG     equ 0x3000          ; scratch segment (linear 0x30000)

; FLAGS_EAX mask: EAX = FLAGS & mask
%macro FLAGS_EAX 1
        pushf
        pop ax
        and ax, %1
        movzx eax, ax
%endmacro

CF equ 0x001
PF equ 0x004
AF equ 0x010
ZF equ 0x040
SF equ 0x080
TF equ 0x100
IF_ equ 0x200
DF equ 0x400
OF equ 0x800

main:
        call ivt_init16
        push es
        xor ax, ax
        mov es, ax
        mov word [es:0x50*4], int50
        mov word [es:0x50*4+2], PROG_SEG
        pop es

        ; ---- operand / address size prefixes ---------------------------------
        mov eax, 0x12345678
        mov ax, 0x9ABC
        CHECK "o16-keeps-high", eax, 0x12349ABC
        mov eax, 0xFFFFFFFF
        add eax, 1
        FLAGS_EAX CF | ZF
        CHECK "o32-add-carry", eax, CF | ZF
        mov ebx, 0x100
        mov ecx, 4
        mov dword [buf + 0x110], 0xCAFED00D
        mov eax, [ebx + ecx*4 + buf]
        CHECK "a32-sib", eax, 0xCAFED00D
        mov bx, sp
        push eax
        mov cx, sp
        pop eax
        sub bx, cx
        movzx eax, bx
        CHECK "o32-push-4", eax, 4
        ; 16-bit effective addresses wrap at 64 KiB
        mov ax, SCR_SEG
        mov es, ax
        mov word [es:0x0010], 0x1357
        mov bx, 0xFFF0
        mov si, 0x0020
        mov ax, [es:bx + si]
        movzx eax, ax
        CHECK "ea16-wraps", eax, 0x1357
        ; the stack wraps too
        mov dx, ss
        mov bp, sp
        cli
        mov ax, SCR_SEG
        mov ss, ax
        xor sp, sp
        push word 0x2468
        mov cx, sp
        mov ss, dx
        mov sp, bp
        movzx eax, cx
        CHECK "stack-wraps-sp", eax, 0xFFFE
        movzx eax, word [es:0xFFFE]
        CHECK "stack-wraps-data", eax, 0x2468
        push ds
        pop es
        ; word access at offset 0xFFFF: #GP (DS) / #SS (SS) on a 386+
        mov ax, SCR_SEG
        mov es, ax
        mov bx, 0xFFFF
        TFAULTQ "word-at-ffff-gp", 13, none, mov ax, [es:bx]
        mov bp, 0xFFFF
        mov ax, SCR_SEG
        CATCH .ss
        mov dx, ss
        mov ss, ax
        mov ax, [bp]
        mov ss, dx
        CAUGHT .ss
        CHECKQ "word-at-ffff-ss-vec", [exc_vec], 12
        TNOFAULT "byte-at-ffff-ok", mov al, [es:bx]
        mov esi, 0x10000
        TFAULTQ "a32-offset-over-limit", 13, none, mov al, [esi]

        ; ---- INT / IRET through the IVT -------------------------------------------
        mov word [i50_flags_mod], 0
        mov [sp_before], sp
        sti
        int 0x50
.after50:
        cli
        mov ax, [sp_before]
        sub ax, [i50_v+0]
        movzx eax, ax
        CHECK "int-frame-size", eax, 6
        movzx eax, word [i50_v+2]
        CHECK "int-frame-ip", eax, .after50
        movzx eax, word [i50_v+4]
        CHECK "int-frame-cs", eax, PROG_SEG
        movzx eax, word [i50_v+6]
        and eax, IF_
        CHECK "int-frame-flags-if", eax, IF_
        movzx eax, word [i50_v+8]
        and eax, IF_ | TF
        CHECK "int-clears-if-tf", eax, 0
        mov word [i50_flags_mod], CF
        clc
        int 0x50
        FLAGS_EAX CF
        CHECK "iret-restores-modified-flags", eax, CF
        ; exceptions through the IVT push FLAGS, CS, IP (no error code)
        CATCH .ud
.ud_insn:
        ud2
        CAUGHT .ud
        CHECK "rm-ud-vec", [exc_vec], 6
        CHECK "rm-ud-ip", [exc_eip], .ud_insn
        CHECK "rm-ud-cs", [exc_cs], PROG_SEG
        CATCH .bp
        int3
.bp_next:
        CAUGHT .bp
        CHECK "rm-int3-vec", [exc_vec], 3
        CHECK "rm-int3-ip", [exc_eip], .bp_next
        mov al, 0x7F
        CATCH .of
        add al, 1
        into
.of_next:
        CAUGHT .of
        CHECK "rm-into-vec", [exc_vec], 4
        CHECK "rm-into-ip", [exc_eip], .of_next
        xor cl, cl
        mov ax, 5
        CATCH .de
.de_insn:
        div cl
        CAUGHT .de
        CHECK "rm-div0-vec", [exc_vec], 0
        CHECK "rm-div0-ip", [exc_eip], .de_insn
        mov ax, 0x1000
        mov cl, 0x10
        TFAULT "div8-overflow", 0, none, div cl
        mov ax, -128
        mov cl, -1
        TFAULT "idiv8-overflow", 0, none, idiv cl
        mov dx, 0xFFFF
        mov ax, 0x8000
        mov cx, -1
        TFAULT "idiv16-overflow", 0, none, idiv cx       ; -32768 / -1
%ifdef QEMU
        SKIP "idiv16-overflow-int-min (crashes QEMU 7.2 with a host SIGFPE)"
%else
        mov dx, 0x8000
        xor ax, ax
        mov cx, -1
        TFAULT "idiv16-overflow-int-min", 0, none, idiv cx  ; DX:AX = 0x80000000
%endif
        mov al, 5
        TFAULT "aam-zero", 0, none, aam 0

        ; ---- PUSHA / POPA / PUSH SP ------------------------------------------------------
        mov ax, 0x1111
        mov cx, 0x2222
        mov dx, 0x3333
        mov bx, 0x4444
        mov bp, 0x6666
        mov si, 0x7777
        mov di, 0x8888
        mov [sp_before], sp
        pusha
        mov bp, sp
        movzx eax, word [bp+14]
        CHECK "pusha-ax", eax, 0x1111
        movzx eax, word [bp+12]
        CHECK "pusha-cx", eax, 0x2222
        movzx eax, word [bp+8]
        CHECK "pusha-bx", eax, 0x4444
        movzx eax, word [bp+6]
        movzx ecx, word [sp_before]
        CHECK "pusha-original-sp", eax, ecx
        movzx eax, word [bp+0]
        CHECK "pusha-di", eax, 0x8888
        mov word [bp+6], 0xDEAD         ; POPA skips the SP slot
        mov word [bp+14], 0xABCD
        popa
        movzx edx, ax
        CHECK "popa-ax", edx, 0xABCD
        mov bx, sp
        movzx eax, bx
        movzx ecx, word [sp_before]
        CHECK "popa-sp", eax, ecx
        movzx eax, bp
        CHECK "popa-bp", eax, 0x6666
        mov eax, 0xA0A0A0A0
        mov edi, 0xD1D1D1D1
        mov [sp_before], sp
        pushad
        mov bx, sp
        mov ax, [sp_before]
        sub ax, bx
        movzx eax, ax
        CHECK "pushad-size", eax, 32
        mov bp, sp
        CHECK "pushad-eax", [bp+28], 0xA0A0A0A0
        CHECK "pushad-edi", [bp+0], 0xD1D1D1D1
        popad
        mov bx, sp
        push sp
        pop ax
        movzx eax, ax
        movzx ebx, bx
        CHECK "push-sp-old-value", eax, ebx
        push word -2                    ; push imm8 sign-extended
        pop ax
        movzx eax, ax
        CHECK "push-imm8-sext", eax, 0xFFFE

        ; ---- ENTER / LEAVE ---------------------------------------------------------------------
        mov bp, 0xF000
        mov word [bp-2], 0xD1D1         ; outer display entry
        mov [sp_before], sp
        mov si, sp
        enter 6, 2
        mov ax, si
        sub ax, 2
        cmp bp, ax
        sete al
        movzx eax, al
        CHECK "enter2-bp", eax, 1
        mov ax, si
        sub ax, sp
        movzx eax, ax
        CHECK "enter2-sp", eax, 12
        movzx eax, word [bp]
        CHECK "enter2-saved-bp", eax, 0xF000
        movzx eax, word [bp-2]
        CHECK "enter2-display-copy", eax, 0xD1D1
        movzx eax, word [bp-4]
        movzx ecx, bp
        CHECK "enter2-frame-ptr", eax, ecx
        leave
        movzx eax, bp
        CHECK "leave-bp", eax, 0xF000
        mov ax, sp
        sub ax, si
        movzx eax, ax
        CHECK "leave-sp", eax, 0
        enter 4, 1
        mov ax, si
        sub ax, sp
        movzx eax, ax
        CHECK "enter1-sp", eax, 8
        movzx eax, word [bp-2]
        movzx ecx, bp
        CHECK "enter1-frame-ptr", eax, ecx
        leave
        enter 8, 0
        mov ax, si
        sub ax, sp
        movzx eax, ax
        CHECK "enter0-sp", eax, 10
        leave

        ; ---- string instructions ---------------------------------------------------------------
        mov ax, SCR_SEG
        mov es, ax
        mov ax, SCR_SEG + 0x100         ; FS = source segment
        mov fs, ax
        mov dword [fs:0], 0x44332211
        mov dword [fs:4], 0x88776655
        xor si, si
        xor di, di
        mov cx, 8
        cld
        rep fs movsb
        CHECK "rep-movsb-fs-override", [es:4], 0x88776655
        movzx eax, cx
        CHECK "rep-movsb-cx", eax, 0
        movzx eax, si
        CHECK "rep-movsb-si", eax, 8
        mov di, 0x20
        mov ax, 0xBEEF
        mov cx, 3
        rep stosw
        CHECK "rep-stosw", [es:0x22], 0xBEEFBEEF
        movzx eax, di
        CHECK "rep-stosw-di", eax, 0x26
        ; backwards
        mov si, 7
        mov di, 0x47
        mov cx, 8
        std
        rep fs movsb
        cld
        CHECK "rep-movsb-backward", [es:0x40], 0x44332211
        movzx eax, si
        CHECK "rep-movsb-backward-si", eax, 0xFFFF
        ; REPE CMPSB stops at the first difference
        mov byte [es:0x03], 0x00
        xor si, si
        xor di, di
        mov cx, 8
        repe fs cmpsb
        FLAGS_EAX ZF
        CHECK "repe-cmpsb-zf", eax, 0
        movzx eax, cx
        CHECK "repe-cmpsb-cx", eax, 4
        movzx eax, di
        CHECK "repe-cmpsb-di", eax, 4
        ; REPNE SCASB finds a byte
        mov di, 0
        mov al, 0x66
        mov cx, 0x10
        repne scasb
        movzx eax, di
        CHECK "repne-scasb-di", eax, 6
        movzx eax, cx
        CHECK "repne-scasb-cx", eax, 0x0A
        ; CX = 0 does nothing
        mov cx, 0
        mov di, 0x80
        mov byte [es:0x80], 0x11
        mov al, 0x22
        rep stosb
        movzx eax, di
        CHECK "rep-cx0-nop", eax, 0x80
        ; 32-bit address size uses ESI/EDI/ECX
        mov esi, 0
        mov edi, 0x90
        mov ecx, 2
        a32 rep fs movsw
        CHECK "a32-rep-movsw", [es:0x90], 0x44332211
        CHECK "a32-rep-edi", edi, 0x94
        mov bx, 0
        mov al, 5
        fs xlat
        movzx eax, al
        CHECK "xlat-fs", eax, 0x66
        push ds
        pop es

        ; ---- BCD -------------------------------------------------------------------------------------
        mov al, 0x79
        add al, 0x35
        daa
        movzx ebx, al
        FLAGS_EAX CF | AF
        CHECK "daa", ebx, 0x14
        CHECK "daa-flags", eax, CF | AF
        mov al, 0x35
        sub al, 0x47
        das
        movzx ebx, al
        FLAGS_EAX CF | AF
        CHECK "das", ebx, 0x88
        CHECK "das-flags", eax, CF | AF
        mov ax, 0x0009
        add al, 8
        aaa
        movzx ebx, ax
        FLAGS_EAX CF | AF
        CHECK "aaa", ebx, 0x0107
        CHECK "aaa-flags", eax, CF | AF
        mov ax, 0x0105
        sub al, 8
        aas
        movzx ebx, ax
        FLAGS_EAX CF | AF
        CHECK "aas", ebx, 0x0007
        CHECK "aas-flags", eax, CF | AF
        mov ax, 0x0004
        add al, 3
        aaa
        movzx ebx, ax
        FLAGS_EAX CF | AF
        CHECK "aaa-no-adjust", ebx, 0x0007
        CHECK "aaa-no-adjust-flags", eax, 0
        mov ax, 0x003F
        aam
        movzx eax, ax
        CHECK "aam", eax, 0x0603
        mov ax, 0x003F
        aam 16
        movzx eax, ax
        CHECK "aam-base16", eax, 0x030F
        mov ax, 0x000A
        aam
        movzx ebx, ax
        FLAGS_EAX ZF | SF
        CHECK "aam-zero-al", ebx, 0x0100
        CHECK "aam-zf", eax, ZF
        mov ax, 0x0603
        aad
        movzx eax, ax
        CHECK "aad", eax, 0x003F
        mov ax, 0x030F
        aad 16
        movzx eax, ax
        CHECK "aad-base16", eax, 0x003F
        mov ax, 0x0C0C
        aad
        movzx ebx, ax
        FLAGS_EAX SF | ZF
        CHECK "aad-result", ebx, 0x0084
        CHECK "aad-sf", eax, SF

        ; ---- CPUID / AC probes ---------------------------------------------------------------------
        pushfd
        pop eax
        mov ecx, eax
        xor eax, 0x200000
        push eax
        popfd
        pushfd
        pop eax
        push ecx
        popfd
        xor eax, ecx
        and eax, 0x200000
        CHECK "eflags-id-toggles", eax, 0x200000
        pushfd
        pop eax
        mov ecx, eax
        xor eax, 0x40000
        push eax
        popfd
        pushfd
        pop eax
        push ecx
        popfd
        xor eax, ecx
        and eax, 0x40000
        CHECK "eflags-ac-toggles", eax, 0x40000
        xor eax, eax
        cpuid
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK "cpuid-leaf1-present", eax, 1
        ; FLAGS in real mode: IOPL and NT writable, bit 1 always set
        push word 0x7000
        popf
        FLAGS_EAX 0xF000
        CHECK "rm-popf-iopl-nt", eax, 0x7000
        push word 0
        popf
        FLAGS_EAX 0xFFFF
        CHECK "rm-popf-zero", eax, 0x0002

        ; ---- 486/Pentium instructions ----------------------------------------------------------------
        mov eax, 0x12345678
        bswap eax
        CHECK "bswap", eax, 0x78563412
        mov dword [buf], 100
        mov eax, 100
        mov ebx, 200
        cmpxchg [buf], ebx
        FLAGS_EAX ZF
        CHECK "cmpxchg-equal-zf", eax, ZF
        CHECK "cmpxchg-equal-stores", [buf], 200
        mov eax, 5
        cmpxchg [buf], ebx
        FLAGS_EAX ZF
        CHECK "cmpxchg-differ-zf", eax, 0
        mov eax, 5
        cmpxchg [buf], ebx
        CHECK "cmpxchg-differ-loads", eax, 200
        mov byte [buf], 0x7F
        mov al, 0x7F
        mov bl, 0x01
        cmpxchg [buf], bl
        movzx eax, byte [buf]
        CHECK "cmpxchg8", eax, 1
        mov dword [buf], 5
        mov ecx, 3
        xadd [buf], ecx
        CHECK "xadd-dest", [buf], 8
        CHECK "xadd-src", ecx, 5
        mov ax, 0xFFFF
        mov bx, 1
        xadd ax, bx
        FLAGS_EAX CF | ZF
        CHECK "xadd16-flags", eax, CF | ZF
        movzx eax, bx
        CHECK "xadd16-src", eax, 0xFFFF
        mov dword [buf], 0x11111111
        mov dword [buf+4], 0x22222222
        mov eax, 0x11111111
        mov edx, 0x22222222
        mov ebx, 0x33333333
        mov ecx, 0x44444444
        cmpxchg8b [buf]
        FLAGS_EAX ZF
        CHECK "cmpxchg8b-equal-zf", eax, ZF
        CHECK "cmpxchg8b-stores-lo", [buf], 0x33333333
        CHECK "cmpxchg8b-stores-hi", [buf+4], 0x44444444
        mov eax, 0
        mov edx, 0
        cmpxchg8b [buf]
        CHECK "cmpxchg8b-loads-lo", eax, 0x33333333
        CHECK "cmpxchg8b-loads-hi", edx, 0x44444444
        mov eax, 1
        mov ebx, 2
        cmp eax, eax
        cmove eax, ebx
        CHECK "cmove-taken", eax, 2
        mov eax, 1
        cmp eax, ebx
        cmove eax, ebx
        CHECK "cmove-not-taken", eax, 1
        mov eax, 1
        cmp eax, ebx
        cmovl eax, [cmov_src]
        CHECK "cmovl-mem", eax, 0x0C0C0C0C
        mov ax, 1
        cmp ax, 2
        setl al
        setg bl
        mov cl, 0
        stc
        setc cl
        movzx eax, al
        movzx ebx, bl
        movzx ecx, cl
        CHECK "setl", eax, 1
        CHECK "setg", ebx, 0
        CHECK "setc", ecx, 1

        ; ---- BT family with memory operands ---------------------------------------------------------
        mov dword [bits_m4], 0x80010000
        mov dword [bitarr], 0x00000001
        mov dword [bitarr+4], 0x00000008
        mov eax, 35
        bt [bitarr], eax
        FLAGS_EAX CF
        CHECK "bt-mem-offset-35", eax, CF
        mov eax, -1
        bt [bitarr], eax
        FLAGS_EAX CF
        CHECK "bt-mem-offset-neg", eax, CF
        bt dword [bitarr], 35             ; immediate: masked to 3
        FLAGS_EAX CF
        CHECK "bt-mem-imm-masked", eax, 0
        mov eax, 35
        mov ebx, 0x8
        bt ebx, eax                     ; register: masked to 3
        FLAGS_EAX CF
        CHECK "bt-reg-masked", eax, CF
        mov eax, 36
        bts [bitarr], eax
        CHECK "bts-mem-offset", [bitarr+4], 0x18
        mov eax, 32
        btr [bitarr], eax
        FLAGS_EAX CF
        CHECK "btr-mem-cf", eax, 0
        mov eax, 67
        btc [bitarr], eax
        CHECK "btc-mem-offset", [bitarr+8], 0x8
        mov ax, 17
        bts word [bitarr], ax
        CHECK "bts16-mem-offset", [bitarr], 0x00020001
        mov ax, -16
        btr word [bitarr], ax
        CHECK "btr16-mem-neg", [bits_m4], 0x80000000
        mov ebx, 0x12345678
        btc ebx, 4
        CHECK "btc-reg-imm", ebx, 0x12345668

        ; ---- shifts, bit scans, multiply, divide ---------------------------------------------------------
        mov eax, 0x12345678
        mov ebx, 0x9ABCDEF0
        shld eax, ebx, 4
        FLAGS_EAX CF
        CHECK "shld", eax, CF
        mov eax, 0x12345678
        shld eax, ebx, 4
        CHECK "shld-value", eax, 0x23456789
        mov eax, 0x12345678
        mov cl, 8
        shrd eax, ebx, cl
        CHECK "shrd-value", eax, 0xF0123456
        mov eax, 0x12345678
        mov cl, 0
        shrd eax, ebx, cl
        CHECK "shrd-count0", eax, 0x12345678
        mov ax, 0x1234
        mov bx, 0xABCD
        shld ax, bx, 8
        movzx eax, ax
        CHECK "shld16", eax, 0x34AB
        mov ebx, 0x00010000
        bsf eax, ebx
        CHECK "bsf", eax, 16
        mov ebx, 0x00010001
        bsr eax, ebx
        CHECK "bsr", eax, 16
        mov eax, 0x5555AAAA
        xor ebx, ebx
        bsf eax, ebx
        pushf
        CHECK "bsf-zero-keeps-dest", eax, 0x5555AAAA
        popf
        FLAGS_EAX ZF
        CHECK "bsf-zero-zf", eax, ZF
        mov eax, 0x5555AAAA
        bsr eax, ebx
        CHECK "bsr-zero-keeps-dest", eax, 0x5555AAAA
        mov ax, 0x0100
        mov bx, 0x0100
        mul bx
        movzx ecx, dx
        FLAGS_EAX CF | OF
        CHECK "mul16-dx", ecx, 1
        CHECK "mul16-flags", eax, CF | OF
        mov al, 0x10
        mov bl, 0x0F
        mul bl
        movzx ecx, ax
        FLAGS_EAX CF | OF
        CHECK "mul8-small", ecx, 0xF0
        CHECK "mul8-small-flags", eax, 0
        mov al, -2
        mov bl, 3
        imul bl
        movzx ecx, ax
        FLAGS_EAX CF | OF
        CHECK "imul8", ecx, 0xFFFA
        CHECK "imul8-flags", eax, 0
        mov al, 100
        mov bl, 2
        imul bl
        FLAGS_EAX CF | OF
        CHECK "imul8-overflow-flags", eax, CF | OF
        mov ebx, 0x10000
        mov eax, 0x10000
        imul eax, ebx
        mov ecx, eax
        FLAGS_EAX CF | OF
        CHECK "imul32-2op-trunc", ecx, 0
        CHECK "imul32-2op-flags", eax, CF | OF
        mov bx, 7
        imul ax, bx, -3
        movzx eax, ax
        CHECK "imul16-3op", eax, 0xFFEB
        mov edx, 0xFFFFFFFF
        mov eax, 0xFFFFFFFF
        mov ecx, 0xFFFFFFFF
        mul ecx
        CHECK "mul32-lo", eax, 1
        CHECK "mul32-hi", edx, 0xFFFFFFFE
        mov dx, 0x0001
        mov ax, 0x0005
        mov cx, 0x10
        div cx
        movzx eax, ax
        movzx edx, dx
        CHECK "div16-quotient", eax, 0x1000
        CHECK "div16-remainder", edx, 5
        mov ax, -7
        cwd
        mov cx, 2
        idiv cx
        movzx eax, ax
        movzx edx, dx
        CHECK "idiv16-truncates", eax, 0xFFFD
        CHECK "idiv16-rem-sign", edx, 0xFFFF

        ; ---- far pointers, far call ---------------------------------------------------------------------
        mov word [farp], 0x1234
        mov word [farp+2], SCR_SEG
        les bx, [farp]
        mov ax, es
        movzx eax, ax
        CHECK "les-seg", eax, SCR_SEG
        movzx eax, bx
        CHECK "les-off", eax, 0x1234
        push ds
        pop es
        mov bx, 0
        call PROG_SEG:far_fn
        movzx eax, bx
        CHECK "far-call-cs", eax, PROG_SEG
        DONE

; ---------------------------------------------------------------------------
int50:                                  ; records the real-mode INT frame
        mov [cs:i50_v+0], sp
        push bp
        mov bp, sp
        mov ax, [bp+2]
        mov [cs:i50_v+2], ax
        mov ax, [bp+4]
        mov [cs:i50_v+4], ax
        mov ax, [bp+6]
        mov [cs:i50_v+6], ax
        pushf
        pop ax
        mov [cs:i50_v+8], ax
        mov ax, [cs:i50_flags_mod]
        or [bp+6], ax
        pop bp
        iret

far_fn:
        push bp
        mov bp, sp
        mov bx, [bp+4]                  ; CS pushed by the far call
        pop bp
        retf

        align 4
sp_before:      dw 0, 0
i50_v:          times 8 dw 0
i50_flags_mod:  dw 0
farp:           dd 0
cmov_src:       dd 0x0C0C0C0C
bits_m4:        dd 0
bitarr:         dd 0, 0, 0
buf:            times 0x120 db 0

gdt:    GDT_STD
gdt_end:

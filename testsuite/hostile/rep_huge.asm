; rep_huge: string instructions with huge counts. REP MOVSD with
; ECX=0xFFFFFFFF into a 1 MiB segment stops with #GP(0) at the limit,
; ECX and EDI showing exactly how far it got; REP STOSD with
; ECX=0xFFFFFFFF over unmapped space is interrupted by the timer with EIP
; on the REP and ECX partly consumed, and ends when the handler clears
; ECX; 16-bit REP MOVSB with CX=0xFFFF wraps DI inside its segment.
%include "lib.inc"
%include "hostile.inc"
SEL_1M  equ GDT_STD_END             ; base 0x400000, limit 1 MiB - 1

main:
        ; real mode: CX=0xFFFF bytes from 3000:0002 to 4000:0002; SI and
        ; DI wrap at 64 KiB, so the last byte is 3000:0000 to 4000:0000
        push ds
        push es
        mov ax, 0x3000
        mov ds, ax
        mov ax, 0x4000
        mov es, ax
        mov byte [ds:0], 0xAB
        mov si, 2
        mov di, 2
        mov cx, 0xFFFF
        rep movsb
        mov bl, [es:0]
        pop es
        pop ds
        CHECK "rm-wrap-cx", ecx, 0
        movzx eax, di
        CHECK "rm-wrap-di", eax, 1
        movzx eax, bl
        CHECK "rm-wrap-byte", eax, 0xAB

        ENTER_PM32
        call idt_init32
        mov ax, SEL_1M
        mov es, ax
        push ds
        mov ax, SEL_FLAT
        mov ds, ax
        mov esi, 0x500000
        xor edi, edi
        mov ecx, 0xFFFFFFFF
        CATCH movs_done
movs_insn:
        rep movsd
        CAUGHT movs_done
        pop ds
        CHECK "movs-limit-vec", [exc_vec], 13
        CHECK "movs-limit-err", [exc_err], 0
        CHECK "movs-limit-eip", [exc_eip], movs_insn
        CHECK "movs-limit-ecx", ecx, 0xFFFFFFFF - 0x40000
        CHECK "movs-limit-edi", edi, 0x100000
        CHECK "movs-limit-esi", esi, 0x500000 + 0x100000

        ; REP STOSD over unmapped space, interrupted by IRQ0
        mov eax, 0x20
        mov ebx, irq0
        mov ecx, 0x8E
        call set_gate32
        PIC_INIT 0xFE
        PIT_RATE 2
        mov ax, SEL_FLAT
        mov es, ax
        ; wait for a first tick, so the REP starts in a slice that ends
        ; at the next PIT deadline (see testsuite/RELIABILITY.md: a slice
        ; already running does not end early when the guest reprograms
        ; the PIT)
        sti
        hlt
        mov byte [armed], 1
        mov edi, 0x40000000
        mov ecx, 0xFFFFFFFF
        mov eax, 0x12345678
stos_insn:
        rep stosd
        cli
        CHECK "stos-irq-taken", [irq_count], 1
        CHECK "stos-irq-eip", [irq_eip], stos_insn
        mov eax, [irq_ecx]
        cmp eax, 0xFFFFFFFF
        setb bl
        cmp eax, 0
        setne bh
        and bl, bh
        movzx ebx, bl
        CHECK "stos-irq-ecx-partial", ebx, 1
        mov ebx, 0xFFFFFFFF
        sub ebx, eax                ; iterations done
        shl ebx, 2
        add ebx, 0x40000000
        CHECK "stos-irq-edi", [irq_edi], ebx
        CHECK "stos-ecx-end", ecx, 0
        DONE

irq0:
        push eax
        mov al, 0x20
        out 0x20, al
        cmp byte [armed], 0
        jne .mid_rep
        pop eax
        iretd
.mid_rep:
        mov al, 0x30                ; stop the PIT (mode 0, no count)
        out 0x43, al
        pop eax
        inc dword [irq_count]
        mov [irq_ecx], ecx
        mov [irq_edi], edi
        push eax
        mov eax, [esp+4]            ; the interrupted EIP
        mov [irq_eip], eax
        pop eax
        xor ecx, ecx                ; the REP ends when it resumes
        iretd

        align 4
armed:  dd 0
irq_count: dd 0
irq_ecx: dd 0
irq_edi: dd 0
irq_eip: dd 0

gdt:    GDT_STD
        DESC 0x400000, 0xFFFFF, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D
gdt_end:

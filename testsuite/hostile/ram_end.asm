; ram_end: accesses at and past the end of RAM (16 MiB), in the unmapped
; space above it, in the PCI hole, and a linear address that wraps 4 GiB.
; Past RAM, writes are dropped and reads float to all ones; nothing wraps
; into low RAM (the harness checks every other RAM byte is unchanged).
%include "lib.inc"
RAM_END equ 0x1000000

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov es, ax

        mov dword [es:RAM_END-4], 0x11223344
        CHECK "last-dword", [es:RAM_END-4], 0x11223344
        ; a dword straddling the end: the bytes in RAM are written, the
        ; rest dropped; reading it back gives ones for the missing half
        mov dword [es:RAM_END-2], 0xAABBCCDD
        CHECK "straddle-read", [es:RAM_END-2], 0xFFFFCCDD
        CHECK "straddle-low-half", [es:RAM_END-4], 0xCCDD3344
        mov word [es:RAM_END-1], 0x5566
        CHECK "straddle-word", [es:RAM_END-4], 0x66DD3344

%macro PAST 2
        mov dword [es:%2], 0x12345678
        CHECK %1, [es:%2], 0xFFFFFFFF
%endmacro
        PAST "at-end", RAM_END
        PAST "end-plus-page", RAM_END+0x1000
        PAST "2g", 0x80000000
        PAST "below-pci-hole", 0xBFFFFFFC
        PAST "pci-hole", 0xC0000000
        PAST "ioapic-absent", 0xFEC00000
        PAST "lapic-absent", 0xFEE00000

        ; REP STOSD across the end: two dwords land, two are dropped
        mov edi, RAM_END-8
        mov ecx, 4
        mov eax, 0xCAFEF00D
        rep stosd
        CHECK "rep-stos-ecx", ecx, 0
        CHECK "rep-stos-edi", edi, RAM_END+8
        CHECK "rep-stos-last", [es:RAM_END-4], 0xCAFEF00D
        CHECK "rep-stos-past", [es:RAM_END+4], 0xFFFFFFFF

        ; REP MOVSD from beyond RAM copies ones
        push ds
        mov ax, SEL_FLAT
        mov ds, ax
        mov esi, RAM_END+0x100
        mov edi, 0x200000
        mov ecx, 4
        rep movsd
        pop ds
        CHECK "movs-from-past", [es:0x20000C], 0xFFFFFFFF

        ; a dword at offset 0xFFFFFFFE of a 4 GiB segment exceeds the limit
        TFAULT "limit-4g", 13, 0, mov dword [es:0xFFFFFFFE], eax
        mov ax, SEL_FLAT            ; TFAULT reloaded ES
        mov es, ax
        ; a segment based at 0x10000 wraps linear addresses at 4 GiB:
        ; offset 0xFFFF0600 is linear 0x600, in low RAM, not past 4 GiB
        mov dword [0xFFFF0600], 0x600DF00D
        CHECK "linear-wrap", [es:0x600], 0x600DF00D
        ; the stack at the very end of RAM (the check routines need the
        ; program's stack, so results go to registers first)
        mov ax, SEL_FLAT
        mov ss, ax
        mov esp, RAM_END
        push dword 0x1234ABCD
        mov ebx, [es:RAM_END-4]
        pop eax
        mov esp, RAM_END+8
        push dword 0x1234ABCD
        pop ecx
        mov esp, RAM_END+2
        push dword 0x77778888
        pop edx
        mov ax, SEL_DATA32
        mov ss, ax
        mov esp, STACK_TOP
        CHECK "push-at-end", ebx, 0x1234ABCD
        CHECK "push-past-end", ecx, 0xFFFFFFFF
        CHECK "push-straddle", edx, 0xFFFF8888
        DONE

gdt:    GDT_STD
gdt_end:

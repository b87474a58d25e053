; mid_insn: jumps into the middle of instructions and of cached code.
; The same bytes decode differently from each start, and calls into a
; straight-line block at different offsets run different tails.
%include "lib.inc"

main:
        ENTER_PM32
        call idt_init32

        ; B8 B0 40 C3 90 C3: from +0 "mov eax, 0x90C340B0; ret", from +1
        ; "mov al, 0x40; ret", from +3 "ret", from +4 "nop; ret"
        xor eax, eax
        call overlap
        mov ebx, eax
        xor eax, eax
        call overlap + 1
        mov ecx, eax
        mov eax, 0x99
        call overlap + 3
        mov edx, eax
        xor eax, eax
        call overlap
        CHECK "full", ebx, 0x90C340B0
        CHECK "inner", ecx, 0x40
        CHECK "ret-only", edx, 0x99
        CHECK "full-again", eax, 0x90C340B0

        ; a block of 40 `inc eax` and a ret, entered at 0, 20, 39 and 0
        xor eax, eax
        call incs
        call incs + 20
        call incs + 39
        call incs
        CHECK "block-tails", eax, 40 + 20 + 1 + 40

        ; into the middle of a two-byte opcode: 0F 0B is UD2; from +1,
        ; 0B C0 is "or eax, eax"
        mov eax, 5
        call ud_mid + 1
        CHECK "into-ud2", eax, 5
        TFAULT "ud2-whole", 6, none, call ud_mid

        ; into an immediate that holds INT3 (CC): a #BP trap
        TFAULT "into-int3", 3, none, call int3_mid + 1
        DONE

overlap:
        db 0xB8, 0xB0, 0x40, 0xC3, 0x90, 0xC3
incs:
        times 40 inc eax
        ret
ud_mid:
        db 0x0F, 0x0B, 0xC0
        ret
int3_mid:
        db 0xB8, 0xCC, 0x90, 0x90, 0x90
        ret

gdt:    GDT_STD
gdt_end:

; pae_beyond: PAE paging with the PDPT beyond RAM. Its entries read as
; all ones, which sets reserved bits; turning paging on (or loading CR3)
; with such PDPTEs raises #GP(0) and paging stays off.
%include "lib.inc"

main:
        ENTER_PM32
        call idt_init32
        mov eax, 1
        cpuid
        test edx, 1 << 6
        jnz .pae
        SKIP "pae not reported"
        DONE
.pae:
        mov eax, cr4
        or eax, 0x20                ; PAE
        mov cr4, eax
        mov eax, 0xF0000000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        TFAULT "pg-on", 13, 0, mov cr0, eax
        mov eax, cr0
        and eax, 0x80000000
        CHECK "pg-stays-off", eax, 0
        DONE

gdt:    GDT_STD
gdt_end:

; cr3_beyond: paging on with CR3 beyond RAM. The page directory reads as
; all ones, so every PDE points to a page table at 0xFFFFF000 (the last
; BIOS page, 0xFF bytes): every linear page maps the BIOS page, the next
; fetch finds FF FF (#UD), the IDT is the same 0xFF bytes, and the CPU
; shuts down. The emulator reports the triple fault; no RAM changes
; (A/D bits would go to the ROM).
%include "lib.inc"

main:
        ENTER_PM32
        call idt_init32
        mov eax, 0xF0000000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp $
        DONE

gdt:    GDT_STD
gdt_end:

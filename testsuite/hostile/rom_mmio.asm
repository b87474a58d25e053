; rom_mmio: writes to the read-only option ROM and BIOS areas and to the
; BIOS alias below 4 GiB are dropped; the alias reads what the BIOS area
; holds; the VGA window is device memory that reads back what was written
; and can hold code; code fetched from unmapped space is 0xFF bytes (#UD).
%include "lib.inc"

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov es, ax

%macro ROMW 2
        mov ebx, [es:%2]
        mov dword [es:%2], 0x5A5A5A5A
        mov byte [es:%2+1], 0x11
        mov eax, [es:%2]
        CHECK %1, eax, ebx
%endmacro
        ROMW "option-rom", 0xC0000
        ROMW "option-rom-end", 0xDFFFC
        ROMW "bios", 0xE0000
        ROMW "bios-f000", 0xF0000
        ROMW "reset-vector", 0xFFFF0
        ROMW "alias-reset-vector", 0xFFFFFFF0
        ROMW "alias-base", 0xFFFE0000
        ; the alias shows the BIOS area
        mov eax, [es:0xFFFFFFF0]
        CHECK "alias-equals-bios", eax, [es:0xFFFF0]
        ; a dword straddling RAM (0x9FFFE) and the VGA window
        mov dword [es:0x9FFFC], 0x01020304
        CHECK "below-vga", [es:0x9FFFC], 0x01020304
        ; text-mode VGA memory reads back
        mov dword [es:0xB8000], 0x07410741
        CHECK "vga-text", [es:0xB8000], 0x07410741

        ; code in VGA memory: mov eax, 0x4242; ret
        mov dword [es:0xB8100], 0x004242B8
        mov dword [es:0xB8104], 0x0000C300
        mov eax, 0
        call SEL_FLATCODE:PROG_BASE + vga_far
        CHECK "exec-vga", eax, 0x4242

        ; code from unmapped space: FF FF is an invalid encoding (#UD)
        CATCH unmapped_done
        jmp SEL_FLATCODE:0x40000000
        CAUGHT unmapped_done
        mov ax, SEL_FLAT
        mov es, ax
        CHECK "exec-unmapped-vec", [exc_vec], 6
        CHECK "exec-unmapped-eip", [exc_eip], 0x40000000
        ; code from the PCI hole
        CATCH hole_done
        jmp SEL_FLATCODE:0xFEC00000
        CAUGHT hole_done
        CHECK "exec-hole-vec", [exc_vec], 6
        DONE

        ; reached by a far call through the flat code segment: call the
        ; VGA code near, return far
        bits 32
vga_far:
        mov eax, 0xB8100
        call eax
        retf

gdt:    GDT_STD
gdt_end:

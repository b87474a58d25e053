; triple: exceptions whose delivery cannot succeed. The stack segment is
; 16 bytes long and ESP is 8, so the #GP frame does not fit (#SS), the #SS
; frame does not fit, the #DF frame does not fit: the CPU shuts down.
%include "lib.inc"
SEL_TINYSS equ GDT_STD_END

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_TINYSS
        mov ss, ax
        mov esp, 8
        mov ax, 0x7FF8
        mov ds, ax                  ; #GP
        jmp $

gdt:    GDT_STD
        DESC 0x200000, 0xF, ACC_P|ACC_DATA|ACC_RW|ACC_A, FL_D
gdt_end:

; halt_forever: STI; HLT with every interrupt line masked. Nothing will
; ever wake the CPU; the host must still be able to stop the run.
%include "lib.inc"
%include "hostile.inc"

main:
        ENTER_PM32
        call idt_init32
        PIC_INIT 0xFF
        PRINT {"HALT", 10}
        sti
.h:     hlt
        jmp .h
        DONE

gdt:    GDT_STD
gdt_end:

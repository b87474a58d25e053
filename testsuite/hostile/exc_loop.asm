; exc_loop: an endless exception loop (a #UD handler that returns to the
; UD2) with the PIT running: virtual time still advances and timer
; interrupts are still taken between the exceptions; after three of them
; the IRQ0 handler ends the program.
%include "lib.inc"
%include "hostile.inc"

main:
        ENTER_PM32
        call idt_init32
        mov eax, 6
        mov ebx, ud_handler
        mov ecx, 0x8E
        call set_gate32
        mov eax, 0x20
        mov ebx, irq0
        call set_gate32
        PIC_INIT 0xFE
        PIT_RATE 119                ; 100 us
        sti
        ud2                         ; forever
        jmp $

ud_handler:
        inc dword [ud_count]
        iretd                       ; back to the UD2

irq0:
        push eax
        mov al, 0x20
        out 0x20, al
        pop eax
        inc dword [ticks]
        cmp dword [ticks], 3
        jae .done
        iretd
.done:
        cli
        mov esp, STACK_TOP
        CHECK "ticks", [ticks], 3
        mov eax, [ud_count]
        cmp eax, 1000
        setae al
        movzx eax, al
        CHECK "many-exceptions", eax, 1
        DONE

        align 4
ud_count: dd 0
ticks:  dd 0

gdt:    GDT_STD
gdt_end:

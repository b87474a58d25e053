; irq_storm: the PIT at its fastest rate (count 2, about 1.7 us) while
; every interrupt handler re-initialises both PICs, re-arms the PIT and
; unmasks IRQ0 again; the main loop still makes progress and the count of
; interrupts reaches 2000.
%include "lib.inc"
%include "hostile.inc"

main:
        ENTER_PM32
        call idt_init32
        mov eax, 0x20
        mov ebx, irq0
        mov ecx, 0x8E
        call set_gate32
        PIC_INIT 0xFE
        PIT_RATE 2
        sti
.spin:  inc dword [progress]
        cmp dword [irqs], 2000
        jb .spin
        cli
        CHECK "irqs", [irqs], 2000
        mov eax, [progress]
        cmp eax, 2000
        setae al
        movzx eax, al
        CHECK "main-progress", eax, 1
        DONE

irq0:
        push eax
        mov al, 0x20
        out 0x20, al                ; EOI
        PIC_INIT 0xFE               ; self-programming in every interrupt
        PIT_RATE 2
        pop eax
        inc dword [irqs]
        iretd

        align 4
irqs:   dd 0
progress: dd 0

gdt:    GDT_STD
gdt_end:

; df_loop: an endless double-fault loop with interrupts off. The #GP gate
; is not present, so every #GP becomes #NP during delivery and then #DF;
; the #DF handler returns to the faulting instruction. Nothing in the
; guest ends it: the host must still get control back (the harness
; cancels the run once the loop has started).
%include "lib.inc"

main:
        ENTER_PM32
        call idt_init32
        mov eax, 13
        mov ebx, 0
        mov ecx, 0x0E               ; not present
        call set_gate32
        mov eax, 11
        mov ecx, 0x0E               ; #NP not present either
        call set_gate32
        mov eax, 8
        mov ebx, df_handler
        mov ecx, 0x8E
        call set_gate32
        PRINT {"LOOP", 10}
fault:  mov ax, 0x7FF8              ; beyond the GDT: #GP(0x7FF8)
        mov ds, ax
        jmp $

df_handler:
        add esp, 4                  ; error code (0)
        inc dword [df_count]
        iretd                       ; back to the faulting MOV

        align 4
df_count: dd 0

gdt:    GDT_STD
gdt_end:

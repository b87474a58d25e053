; ticks: programs the PIC (IRQ0 -> vector 8), takes 5 PIT interrupts at
; the power-on 18.2 Hz while halted, prints "5" on port 0xE9, cli; hlt.
        bits 16
        xor     ax, ax
        mov     ds, ax
        mov     word [8*4], handler
        mov     word [8*4+2], 0x1000
        mov     al, 0x11
        out     0x20, al
        mov     al, 0x08
        out     0x21, al
        mov     al, 0x04
        out     0x21, al
        mov     al, 0x01
        out     0x21, al
        mov     al, 0xFE        ; only IRQ0
        out     0x21, al
        sti
.wait:  hlt
        cmp     byte [cs:count], 5
        jb      .wait
        cli
        mov     al, '5'
        out     0xE9, al
        hlt
handler:
        inc     byte [cs:count]
        push    ax
        mov     al, 0x20
        out     0x20, al
        pop     ax
        iret
count:  db      0

; echo: polls COM1 and echoes every byte back to COM1 and port 0xE9
; until it receives '.', then writes the debug exit port.
        bits 16
        mov     dx, 0x3FB               ; 8N1
        mov     al, 3
        out     dx, al
        ; The FIFO control register is left alone: enabling the FIFOs
        ; clears them, and input may already be waiting.
.poll:  mov     dx, 0x3FD
        in      al, dx
        test    al, 1
        jz      .poll
        mov     dx, 0x3F8
        in      al, dx
        cmp     al, '.'
        je      .done
        out     dx, al
        out     0xE9, al
        jmp     .poll
.done:  mov     al, 0
        out     0xF4, al
        jmp     $

; triple: an empty IVT limit makes INT 3 fault, then #DF, then shut down.
        bits 16
        lidt    [cs:idt]
        int3
        jmp     $
idt:    dw      0
        dd      0

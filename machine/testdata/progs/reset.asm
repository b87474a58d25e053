; reset: counts boots in CMOS byte 0x40 (NVRAM survives a reset), prints
; the count on port 0xE9 and resets through the i8042 (1st boot), port
; 0x92 (2nd) and port 0xCF9 (3rd); the 4th boot writes the debug exit port.
        bits 16
        mov     al, 0x40
        out     0x70, al
        in      al, 0x71
        inc     al
        mov     ah, al
        mov     al, 0x40
        out     0x70, al
        mov     al, ah
        out     0x71, al
        add     al, '0'
        out     0xE9, al
        cmp     ah, 1
        je      kbc
        cmp     ah, 2
        je      p92
        cmp     ah, 3
        je      cf9
        mov     al, 0
        out     0xF4, al
        jmp     $
kbc:    mov     al, 0xFE
        out     0x64, al
        jmp     $
p92:    in      al, 0x92
        or      al, 1
        out     0x92, al
        jmp     $
cf9:    mov     dx, 0xCF9
        mov     al, 0x06
        out     dx, al
        jmp     $

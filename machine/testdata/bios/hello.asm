; hello.asm - boot sector: prints through INT 10h teletype, reports the
; boot drive (DL) and the INT 11h/12h answers on the debug console, exits
; with status 0x21.
bits 16
org 0x7C00
%include "lib.inc"

start:
    mov [bootdrive], dl
    mov si, msg
.print:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp .print
.done:
    PUTS "drive="
    mov al, [bootdrive]
    call puthex8
    PUTS " mem="
    int 0x12
    call puthex16
    PUTS " equip="
    int 0x11
    call puthex16
    PUTS 10
    EXIT 0x21

msg: db "Hello from the boot sector", 13, 10, 0
bootdrive: db 0

    times 510-($-$$) db 0
    dw 0xAA55

; keys.asm - boot sector for the keyboard: waits for three keys through
; INT 16h AH=00h (typed on the PS/2 keyboard, through IRQ1 and INT 09h),
; then reports the shift flags; exits with status 0x23.
bits 16
org 0x7C00
%include "lib.inc"

start:
    mov cx, 3
.key:
    xor ah, ah
    int 0x16
    PUTS "key="
    call puthex16
    PUTS 10
    loop .key
    mov ah, 0x01
    int 0x16
    jnz .more
    PUTS "empty "
.more:
    mov ah, 0x02
    int 0x16
    PUTS "flags="
    call puthex8
    PUTS 10
    EXIT 0x23

    times 510-($-$$) db 0
    dw 0xAA55

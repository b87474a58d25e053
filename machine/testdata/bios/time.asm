; time.asm - boot sector for time: the timer tick count moves across an
; INT 15h AH=86h wait of 200 ms, a 10 ms wait measured with the TSC; the
; RTC date and time through INT 1Ah.
; Exits with status 0x24.
bits 16
org 0x7C00
%include "lib.inc"

start:
    mov ah, 0x00
    int 0x1A
    mov [t0], dx
    mov [t0+2], cx
    mov ah, 0x86
    mov cx, 0x0003
    mov dx, 0x0D40          ; 200000 us
    int 0x15
    jc fail
    mov ah, 0x00
    int 0x1A
    mov ax, cx
    shl eax, 16
    mov ax, dx
    sub eax, [t0]
    ; 200 ms is 3.6 ticks: 3 or 4 ticks pass.
    cmp eax, 3
    jb fail
    cmp eax, 4
    ja fail
    PUTS "wait ok "
    ; A 10 ms wait takes 10-12 ms of TSC time (1 GHz): the RTC's periodic
    ; interrupt wakes the waiting stub every ~1 ms.
    rdtsc
    mov [t0], eax
    mov ah, 0x86
    xor cx, cx
    mov dx, 10000
    int 0x15
    jc fail
    rdtsc
    sub eax, [t0]
    cmp eax, 10000000
    jb fail
    cmp eax, 12000000
    ja fail
    PUTS "precise "
    mov ah, 0x04
    int 0x1A
    jc fail
    PUTS "date="
    mov ax, cx
    call puthex16
    mov ax, dx
    call puthex16
    mov ah, 0x02
    int 0x1A
    jc fail
    PUTS " time="
    mov ax, cx
    call puthex16
    mov al, dh
    call puthex8
    PUTS 10
    EXIT 0x24
fail:
    PUTS "FAIL", 10
    EXIT 0x01

t0: dd 0

    times 510-($-$$) db 0
    dw 0xAA55

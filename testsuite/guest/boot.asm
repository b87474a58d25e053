; boot.asm - QEMU-only wrapper: a boot sector that loads the test program
; from the sectors following it to physical 0x10000 and enters it with the
; bt86 guest-test contract (real mode, CS:IP = 1000:0000, IF=0, A20 on).
; It also masks both PICs so that nothing left running by the BIOS (the PIT
; at IRQ0) can interrupt the program: the contract has no interrupt sources.
;
;   nasm -f bin -DSECTORS=n -o boot.bin boot.asm
        bits 16
        org 0x7C00
%ifndef SECTORS
%define SECTORS 96
%endif
start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        mov [drive], dl
        sti
        mov cx, SECTORS
.next:  push cx
        mov si, dap
        mov ah, 0x42                ; extended read (LBA)
        mov dl, [drive]
        int 0x13
        pop cx
        jc err
        add word [dap_seg], 0x20    ; 512 bytes further
        inc dword [dap_lba]
        loop .next
        cli
        mov al, 0xFF                ; mask every PIC input
        out 0x21, al
        out 0xA1, al
        in al, 0x92                 ; fast A20
        or al, 2
        and al, 0xFE
        out 0x92, al
        jmp 0x1000:0x0000

err:    mov si, msg
.l:     lodsb
        test al, al
        jz .x
        out 0xE9, al
        jmp .l
.x:     mov al, 0xFF
        out 0xF4, al
.h:     cli
        hlt
        jmp .h

msg:    db "BOOT: disk read error", 10, 0
drive:  db 0
dap:    db 0x10, 0
        dw 1                        ; sectors per call
dap_off: dw 0
dap_seg: dw 0x1000
dap_lba: dq 1

        times 510 - ($ - $$) db 0
        dw 0xAA55

; a20_wrap: with A20 disabled (i8042 output port and port 0x92) address line 20 is forced to 0:
; FFFF:0010 is physical 0 in real mode, and in protected mode 0x3000F0
; is 0x2000F0; with A20 enabled again they are distinct.
%include "lib.inc"

main:
        ; A20 is the OR of port 0x92 bit 1 and the i8042 output port bit 1:
        ; clear both (output port 0xDD keeps bit 0, the reset line, high)
        call kbc_wait
        mov al, 0xD1
        out 0x64, al
        call kbc_wait
        mov al, 0xDD
        out 0x60, al
        call kbc_wait
        in al, 0x92
        and al, ~2 & 0xFF
        out 0x92, al                ; A20 off
        xor ax, ax
        mov fs, ax
        mov ax, 0xFFFF
        mov gs, ax
        mov dword [fs:0x0], 0x11111111
        mov dword [gs:0x10], 0x22222222
        CHECK "rm-wrap", [fs:0x0], 0x22222222
        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov es, ax
        mov dword [es:0x2000F0], 0x33333333
        mov dword [es:0x3000F0], 0x44444444
        CHECK "pm-wrap", [es:0x2000F0], 0x44444444
        ; a dword at 0x0FFFFE with A20 off: bytes at 0x0FFFFE (BIOS ROM,
        ; dropped) and 0x100000, which is 0x000000
        mov dword [es:0xFFFFE], 0xAAAABBBB
        CHECK "pm-wrap-straddle", [es:0x0], 0x2222AAAA
        LEAVE_PM32
        in al, 0x92
        or al, 2
        out 0x92, al                ; A20 on
        xor ax, ax
        mov fs, ax
        mov ax, 0xFFFF
        mov gs, ax
        mov dword [gs:0x10], 0x55555555
        CHECK "rm-no-wrap", [fs:0x0], 0x2222AAAA
        CHECK "rm-hma", [gs:0x10], 0x55555555
        DONE

kbc_wait:
        in al, 0x64
        test al, 2
        jnz kbc_wait
        ret

gdt:    GDT_STD
gdt_end:

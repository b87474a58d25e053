; io_storm: every I/O port written with 0x00 and 0xFF in byte, word and
; dword widths and read back in each width (except the ports that end
; the run: 0xF4 debug exit, and the reset controls 0x64, 0x92, 0xCF9),
; then REP OUTSB of 1 MiB to port 0x80 and REP INSD of 1 MiB from an
; unmapped port. The machine survives, and unmapped ports read all ones.
%include "lib.inc"
BUF     equ 0x200000

main:
        ENTER_PM32
        call idt_init32
        xor edx, edx
.port:
        cmp dx, 0xF4
        je .next
        cmp dx, 0x64
        je .next
        cmp dx, 0x92
        je .next
        cmp dx, 0xCF9
        je .next
        cmp dx, 0xE9                ; the console: keep the output readable
        je .next
        mov al, 0
        out dx, al
        in al, dx
        mov al, 0xFF
        out dx, al
        in ax, dx
        xor ax, ax
        out dx, ax
        in eax, dx
        xor eax, eax
        out dx, eax
        in al, dx
.next:
        inc edx
        cmp edx, 0x10000
        jb .port
        PRINT {"storm done", 10}

        ; REP OUTSB: 1 MiB of the program's bytes to the POST port
        mov esi, 0
        mov ecx, 1 << 20
        mov dx, 0x80
        rep outsb
        CHECK "outsb-ecx", ecx, 0
        ; REP INSD: 1 MiB from an unmapped port into RAM
        mov ax, SEL_FLAT
        mov es, ax
        mov edi, BUF
        mov ecx, 1 << 18
        mov dx, 0x2345
        rep insd
        CHECK "insd-ecx", ecx, 0
        CHECK "insd-first", [es:BUF], 0xFFFFFFFF
        CHECK "insd-last", [es:BUF + (1 << 20) - 4], 0xFFFFFFFF
        DONE

gdt:    GDT_STD
gdt_end:

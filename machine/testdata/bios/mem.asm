; mem.asm - boot sector for the memory map and the PCI BIOS: the E820
; entries, E801h, 88h, the PCI BIOS installation check and the PIIX3 ISA
; bridge found by ID and by class. Exits with status 0x25.
bits 16
org 0x7C00
%include "lib.inc"

start:
    xor ebx, ebx
.e820:
    mov eax, 0xE820
    mov edx, 0x534D4150
    mov ecx, 20
    mov di, entry
    int 0x15
    jc fail
    cmp eax, 0x534D4150
    jne fail
    PUTS "e820 "
    mov eax, [entry+4]
    call puthex32
    mov eax, [entry]
    call puthex32
    PUTS " "
    mov eax, [entry+12]
    call puthex32
    mov eax, [entry+8]
    call puthex32
    PUTS " "
    mov al, [entry+16]
    call puthex8
    PUTS 10
    test ebx, ebx
    jnz .e820
    mov ax, 0xE801
    int 0x15
    jc fail
    PUTS "e801 "
    call puthex16
    mov ax, bx
    PUTS " "
    call puthex16
    mov ah, 0x88
    int 0x15
    PUTS " 88 "
    call puthex16
    PUTS 10
    mov ax, 0xB101
    int 0x1A
    jc fail
    PUTS "pci "
    mov eax, edx
    call puthex32
    PUTS " "
    mov ax, bx
    call puthex16
    mov ax, 0xB102
    mov cx, 0x7000
    mov dx, 0x8086
    xor si, si
    int 0x1A
    jc fail
    PUTS " piix3="
    mov ax, bx
    call puthex16
    mov ax, 0xB103
    mov ecx, 0x060100
    xor si, si
    int 0x1A
    jc fail
    PUTS " isa="
    mov ax, bx
    call puthex16
    mov ax, 0xB10A
    mov di, 0
    int 0x1A
    PUTS " id="
    mov eax, ecx
    call puthex32
    PUTS 10
    EXIT 0x25
fail:
    PUTS "FAIL", 10
    EXIT 0x01

entry: times 20 db 0

    times 510-($-$$) db 0
    dw 0xAA55

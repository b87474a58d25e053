; disk.asm - boot sector for INT 13h on the whole machine. The test disk
; (1 MiB, 16 heads, 63 sectors) holds its LBA in the first dword of
; every sector past this program (4 sectors: the boot sector loads the
; other three with AH=02h). Reports on the debug console; exits with
; status 0x22.
bits 16
org 0x7C00
%include "lib.inc"

start:
    mov [drive], dl
    mov ax, 0x0203
    mov cx, 0x0002
    mov dh, 0
    xor bx, bx
    mov es, bx
    mov bx, 0x7E00
    int 0x13
    jc fail
    jmp main

fail:
    PUTS "FAIL ah="
    mov al, ah
    call puthex8
    EXIT 0x01

drive: db 0

    times 510-($-$$) db 0
    dw 0xAA55

main:
    ; AH=08h: geometry.
    mov ah, 0x08
    int 0x13
    jc fail
    PUTS "params cx="
    mov ax, cx
    call puthex16
    PUTS " dx="
    mov ax, dx
    call puthex16
    ; AH=02h: C0 H1 S1 = LBA 63, two sectors to 0000:8000.
    mov ax, 0x0202
    mov cx, 0x0001
    mov dh, 1
    mov dl, [drive]
    xor bx, bx
    mov es, bx
    mov bx, 0x8000
    int 0x13
    jc fail
    PUTS 10, "chs al="
    call puthex8
    PUTS " lba="
    mov eax, [0x8000]
    call puthex32
    PUTS ","
    mov eax, [0x8200]
    call puthex32
    ; AH=41h: EDD present.
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int 0x13
    jc fail
    PUTS 10, "edd bx="
    mov ax, bx
    call puthex16
    ; AH=42h: LBA 1000 to 0000:9000.
    mov word [dap.count], 1
    mov dword [dap.lba], 1000
    mov word [dap.off], 0x9000
    mov si, dap
    mov ah, 0x42
    mov dl, [drive]
    int 0x13
    jc fail
    PUTS " read="
    mov eax, [0x9000]
    call puthex32
    ; AH=43h: write "WRIT" to LBA 2000, read it back with AH=42h.
    mov dword [0x9000], 'WRIT'
    mov dword [dap.lba], 2000
    mov si, dap
    mov ax, 0x4300
    mov dl, [drive]
    int 0x13
    jc fail
    mov dword [0x9000], 0
    mov si, dap
    mov ah, 0x42
    mov dl, [drive]
    int 0x13
    jc fail
    PUTS " written="
    mov eax, [0x9000]
    call puthex32
    ; AH=48h: sectors.
    mov word [params], 0x1E
    mov si, params
    mov ah, 0x48
    mov dl, [drive]
    int 0x13
    jc fail
    PUTS 10, "sectors="
    mov eax, [params+16]
    call puthex32
    ; Errors: sector 0, missing drive.
    mov ax, 0x0201
    mov cx, 0x0000
    mov dh, 0
    mov dl, [drive]
    mov bx, 0x8000
    int 0x13
    PUTS " bad="
    mov al, ah
    call puthex8
    mov ah, 0x02
    mov al, 1
    mov cx, 1
    mov dx, 0x0085
    int 0x13
    PUTS ","
    mov al, ah
    call puthex8
    PUTS 10
    EXIT 0x22

dap:
    db 0x10, 0
.count: dw 0
.off: dw 0
.seg: dw 0
.lba: dq 0
params: times 0x1E db 0

    times 2048-($-$$) db 0

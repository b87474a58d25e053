; atawrite.asm: a 64 KiB firmware ROM (emu -bios) that writes the disk
; without end, for the crash-consistency test: for n = 1, 2, ... it fills
; sector 1 + n mod 16 with the 32-bit value n, writes it (ATA PIO, primary
; master, LBA28), issues FLUSH CACHE, then writes n into sector 0 (the
; "last flushed" record, not flushed itself) and prints '.' on COM1 every
; 64 rounds. An ATA error prints 'E' and powers off.
; Build: nasm -f bin -o atawrite.bin atawrite.asm
bits 16
org 0

start:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7000
	cld
	xor ebp, ebp            ; n
.loop:
	inc ebp
	mov eax, ebp
	call fill
	mov ax, bp
	and ax, 15
	inc ax
	call write              ; sector 1 + n mod 16
	mov dx, 0x1F7
	mov al, 0xE7            ; FLUSH CACHE
	out dx, al
	call wait_ready
	mov eax, ebp
	call fill
	xor ax, ax
	call write              ; sector 0: n
	test bp, 63
	jnz .loop
	mov dx, 0x3F8
	mov al, '.'
	out dx, al
	jmp .loop

; fill: 512 bytes at 0x8000 with EAX.
fill:
	mov di, 0x8000
	mov cx, 128
	rep stosd
	ret

; write: the buffer to sector AX.
write:
	mov bx, ax
	mov dx, 0x1F6
	mov al, 0xE0
	out dx, al
	mov dx, 0x1F2
	mov al, 1
	out dx, al
	inc dx                  ; 1F3 LBA low
	mov al, bl
	out dx, al
	inc dx
	xor al, al
	out dx, al
	inc dx
	out dx, al
	mov dx, 0x1F7
	mov al, 0x30            ; WRITE SECTORS
	out dx, al
.drq:
	in al, dx
	test al, 0x80
	jnz .drq
	test al, 0x01
	jnz error
	test al, 0x08
	jz .drq
	mov dx, 0x1F0
	mov si, 0x8000
	mov cx, 256
	rep outsw
	; fall through
wait_ready:
	mov dx, 0x1F7
.wait:
	in al, dx
	test al, 0x80
	jnz .wait
	test al, 0x01
	jnz error
	ret

error:
	mov dx, 0x3F8
	mov al, 'E'
	out dx, al
.off:
	cli
	hlt
	jmp .off

	times 0xFFF0-($-$$) db 0xFF
reset:
	jmp 0xF000:start
	times 0x10000-($-$$) db 0xFF

; atacount.asm: a 64 KiB firmware ROM (Config.BIOSImage) that tests disk
; persistence over ATA PIO on the primary master: it reads the 16-bit
; counter in sector 1, increments it, writes the sector back, issues
; FLUSH CACHE, prints the counter's low digit on port 0xE9, and then
; resets the machine (port 0xCF9) when the counter is odd, or powers off
; (cli; hlt) when it is even. From a zeroed sector a run prints "12":
; the second boot sees the first boot's write.
; An ATA error prints 'E' and powers off.
; Build: nasm -f bin -o atacount.bin atacount.asm
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

	mov bl, 0x20            ; READ SECTORS
	call command
	mov dx, 0x1F0
	mov di, 0x8000
	mov cx, 256
	rep insw
	call wait_ready

	inc word [0x8000]

	mov bl, 0x30            ; WRITE SECTORS
	call command
	mov dx, 0x1F0
	mov si, 0x8000
	mov cx, 256
	rep outsw
	call wait_ready

	mov dx, 0x1F7
	mov al, 0xE7            ; FLUSH CACHE
	out dx, al
	call wait_ready

	mov ax, [0x8000]
	mov bl, 10
	div bl
	mov al, ah
	add al, '0'
	out 0xE9, al

	test byte [0x8000], 1
	jz off
	mov dx, 0xCF9
	mov al, 0x06            ; hard reset
	out dx, al
	jmp $

; command: sector 1 (LBA28), count 1, command BL; waits for DRQ (reads)
; or for the write's DRQ.
command:
	mov dx, 0x1F6
	mov al, 0xE0
	out dx, al
	mov dx, 0x1F2
	mov al, 1
	out dx, al
	inc dx                  ; 1F3 LBA low
	out dx, al
	inc dx                  ; 1F4
	xor al, al
	out dx, al
	inc dx                  ; 1F5
	out dx, al
	mov dx, 0x1F7
	mov al, bl
	out dx, al
.wait:
	in al, dx
	test al, 0x80
	jnz .wait
	test al, 0x01
	jnz error
	test al, 0x08
	jz .wait
	ret

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
	mov al, 'E'
	out 0xE9, al
off:
	cli
	hlt
	jmp off

	times 0xFFF0-($-$$) db 0xFF
reset:
	jmp 0xF000:start
	times 0x10000-($-$$) db 0xFF

; rom.asm - the ROM of bt86's embedded BIOS: 64 KiB at F000:0000.
;
; The services are Go handlers (package bios). Each service has a slot of
; SLOTSZ bytes at F000:SLOTS + id*SLOTSZ (id = interrupt vector, or
; ID_POST); the slot's `out TRAP, al` runs the handler synchronously, and
; the machine finds the id from CS:IP. On return ZF=1 means "not yet"
; (wait for an interrupt and ask again); the caller's flags come back from
; the IRET frame, which the handler edits (CF, ZF).
;
; Fixed offsets below are mirrored by constants in rom.go; a test checks
; them. Assemble: nasm -f bin -o rom.bin rom.asm

bits 16
cpu 386
org 0

TRAP    equ 0xE0
SLOTS   equ 0x8000
SLOTSZ  equ 32
ID_POST equ 0x100

%macro AT 1
    times (%1) - ($-$$) db 0
%endmacro

%macro SLOT 1
    AT SLOTS + (%1)*SLOTSZ
%endmacro

; A service slot: the handler may ask to wait (ZF=1): interrupts on, halt
; until one arrives, ask again.
%macro SERVICE 1
    SLOT %1
%%again:
    out TRAP, al
    jz %%wait
    iret
%%wait:
    sti
    hlt
    cli
    jmp %%again
%endmacro

signature:
    db "bt86 BIOS", 0

; INT 15h AH=C0h system configuration table.
AT 0x100
config_table:
    dw 8                ; bytes that follow
    db 0xFC             ; model: AT
    db 0x01             ; submodel
    db 0x00             ; BIOS revision
    db 0x60             ; feature 1: 2nd PIC, RTC
    db 0x00, 0x00, 0x00, 0x00

; INT 1Eh: diskette parameter table (1.44 MB).
AT 0x120
diskette_params:
    db 0xAF, 0x02, 0x25, 0x02, 18, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08

; Default handler for unused vectors.
AT 0x140
iret_default:
    iret

; Default handlers for hardware interrupts: end of interrupt only.
AT 0x150
irq_master:
    push ax
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

AT 0x160
irq_slave:
    push ax
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

; INT 08h (IRQ0, 18.2 Hz): count ticks in the BDA (0x46C, midnight flag
; 0x470), call the user hook INT 1Ch, end of interrupt.
AT 0x180
int08:
    push ds
    push eax
    mov ax, 0x40
    mov ds, ax
    mov eax, [0x6C]
    inc eax
    cmp eax, 0x1800B0
    jb .store
    xor eax, eax
    mov byte [0x70], 1
.store:
    mov [0x6C], eax
    int 0x1C
    mov al, 0x20
    out 0x20, al
    pop eax
    pop ds
    iret

; INT 70h (IRQ8, RTC): acknowledge the RTC (read register C), end of
; interrupt on both controllers.
AT 0x200
int70:
    push ax
    mov al, 0x0C
    out 0x70, al
    in al, 0x71
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

; Power-on: a stack at 0000:7C00 and into the POST service.
AT 0x240
post:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, 0x7C00
    mov ds, ax
    mov es, ax
    jmp SLOTS + ID_POST*SLOTSZ

SERVICE 0x09            ; keyboard IRQ1
SERVICE 0x10            ; video
SERVICE 0x11            ; equipment
SERVICE 0x12            ; memory size
SERVICE 0x13            ; disk
SERVICE 0x14            ; serial
SERVICE 0x15            ; system
SERVICE 0x16            ; keyboard
SERVICE 0x17            ; printer

; INT 18h: no bootable device. The handler prints why; then stop with
; interrupts off (the machine reports a power-off).
SLOT 0x18
    out TRAP, al
int18_halt:
    cli
    hlt
    jmp int18_halt

; INT 19h: the handler loads the boot sector at 0000:7C00 and sets DL;
; ZF=1 means nothing bootable was found.
SLOT 0x19
    out TRAP, al
    jz int19_fail
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    jmp 0x0000:0x7C00
int19_fail:
    int 0x18

SERVICE 0x1A            ; time, date, PCI BIOS

; POST: the handler sets up the IVT, BDA, EBDA, PIC, PIT and the screen;
; then boot.
SLOT ID_POST
    out TRAP, al
    sti
    int 0x19
post_halt:
    cli
    hlt
    jmp post_halt

; Reset vector F000:FFF0, BIOS date, model byte.
AT 0xFFF0
    jmp 0xF000:post
    db "11/25/26"
    db 0
    db 0xFC
    db 0

; demo.asm - the guest `emu` boots when it is given nothing to boot.
;
; Build: nasm -f bin -o demo.bin demo.asm   (the .bin is committed; see
; demo_test.go, which checks that it is up to date when nasm exists).
;
; Contract (machine.LoadProgram, as for the in-guest test programs): loaded
; at physical 0x10000 and entered in real mode at 1000:0000, interrupts
; off, A20 on, no BIOS. The demo switches to protected mode, turns paging
; on, prints a banner and some CPU, RTC and memory facts on COM1 and on
; the VGA text screen, runs a benchmark timed by the PIT and powers off
; the only way a PC without ACPI can: cli; hlt.

        cpu     686
        org     0x10000

BASE    equ     0x10000
%define R(x) ((x) - BASE)       ; real-mode offset of a label (DS = 0x1000)

COM1    equ     0x3F8
VGA     equ     0xB8000
COLS    equ     80
ROWS    equ     25
PD      equ     0x80000         ; page directory
PT0     equ     0x81000         ; page table for linear 0-4 MiB
STACK   equ     0x7F000
PERIODS equ     5               ; benchmark: 5 x 10 ms
LATCH   equ     11932           ; 10 ms of the 1.193182 MHz PIT clock

; ---------------------------------------------------------------- real mode
        bits    16
start:
        cli
        cld
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0xFFF0
        mov     [R(boot_cs)], ax
        smsw    [R(boot_msw)]
        lgdt    [R(gdt_ptr)]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword 0x08:pm_entry

; ---------------------------------------------------------- protected mode
        bits    32
pm_entry:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, STACK
        call    uart_init
        call    vga_clear

        mov     byte [attr], 0x1F
        mov     esi, msg_banner
        call    puts
        mov     byte [attr], 0x07
        mov     esi, msg_real
        call    puts
        movzx   eax, word [boot_cs]
        call    puthex4
        mov     esi, msg_real2
        call    puts
        movzx   eax, word [boot_msw]
        call    puthex4
        mov     esi, msg_pm
        call    puts

        ; Paging: identity map the first 4 MiB with 4 KiB pages, and the
        ; same page table again at 0xC0000000 (where Linux puts itself).
        mov     edi, PD
        xor     eax, eax
        mov     ecx, 1024
        rep     stosd
        mov     dword [PD], PT0 | 3
        mov     dword [PD + 768*4], PT0 | 3
        mov     edi, PT0
        mov     eax, 3
        mov     ecx, 1024
.fill:  stosd
        add     eax, 4096
        loop    .fill
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80010000         ; PG | WP
        mov     cr0, eax
        jmp     .paged
.paged:
        mov     dword [0xC0000000 + scratch], 0x600DF00D
        mov     esi, msg_paging
        call    puts
        mov     esi, msg_ok
        cmp     dword [scratch], 0x600DF00D
        je      .alias
        mov     esi, msg_bad
.alias: call    puts

        call    cpu_facts
        call    rtc_facts
        call    mem_facts
        call    bench

        mov     esi, msg_done
        call    puts
        call    set_cursor
        cli
.halt:  hlt
        jmp     .halt

; ------------------------------------------------------------- CPU facts
cpu_facts:
        pushfd                          ; CPUID present? (EFLAGS.ID toggles)
        pop     eax
        mov     ecx, eax
        xor     eax, 1 << 21
        push    eax
        popfd
        pushfd
        pop     eax
        xor     eax, ecx
        test    eax, 1 << 21
        jnz     .have
        mov     esi, msg_nocpuid
        jmp     puts
.have:
        xor     eax, eax
        cpuid
        mov     [vendor], ebx
        mov     [vendor+4], edx
        mov     [vendor+8], ecx
        push    eax
        mov     esi, msg_vendor
        call    puts
        mov     esi, vendor
        call    puts
        mov     esi, msg_maxleaf
        call    puts
        pop     eax
        call    putdec

        mov     eax, 1
        cpuid
        mov     [features], edx
        mov     ebx, eax
        mov     esi, msg_family
        call    puts
        mov     eax, ebx                ; family (+ extended family for 15)
        shr     eax, 8
        and     eax, 0xF
        mov     ecx, eax
        cmp     eax, 15
        jne     .fam
        mov     edx, ebx
        shr     edx, 20
        and     edx, 0xFF
        add     eax, edx
.fam:   call    putdec
        mov     esi, msg_model
        call    puts
        mov     eax, ebx                ; model (+ extended model for 6, 15)
        shr     eax, 4
        and     eax, 0xF
        cmp     ecx, 6
        je      .ext
        cmp     ecx, 15
        jne     .mod
.ext:   mov     edx, ebx
        shr     edx, 12
        and     edx, 0xF0
        add     eax, edx
.mod:   call    putdec
        mov     esi, msg_stepping
        call    puts
        mov     eax, ebx
        and     eax, 0xF
        call    putdec

        mov     esi, msg_features       ; names of the CPUID 1 EDX bits
        call    puts
        mov     ebx, [features]
        mov     esi, feature_names
        mov     ecx, 32
.feat:  shr     ebx, 1
        jnc     .next
        mov     al, ' '
        call    putc
        push    esi
        call    puts
        pop     esi
.next:  add     esi, 6
        loop    .feat

        mov     eax, 0x80000000         ; extended leaves
        cpuid
        mov     ebp, eax
        cmp     ebp, 0x80000001
        jb      .noext
        mov     eax, 0x80000001
        cpuid
        test    edx, 1 << 20
        jz      .nonx
        mov     esi, msg_nx
        call    puts
.nonx:  cmp     ebp, 0x80000004
        jb      .noext
        mov     edi, brand
        mov     esi, 0x80000002
.brand: mov     eax, esi
        cpuid
        mov     [edi], eax
        mov     [edi+4], ebx
        mov     [edi+8], ecx
        mov     [edi+12], edx
        add     edi, 16
        inc     esi
        cmp     esi, 0x80000004
        jbe     .brand
        mov     esi, msg_brand
        call    puts
        mov     esi, brand
.skip:  cmp     byte [esi], ' '         ; brand strings may be right-aligned
        jne     .print
        inc     esi
        jmp     .skip
.print: call    puts
.noext: mov     al, 10
        jmp     putc

; ------------------------------------------------------------- RTC facts
cmos:                                   ; al = register -> al = value
        out     0x70, al
        in      al, 0x71
        ret

rtc_facts:
        mov     ecx, 100000             ; wait for the end of an update cycle
.uip:   mov     al, 0x0A
        call    cmos
        test    al, 0x80
        loopnz  .uip
        mov     esi, msg_rtc
        call    puts
        mov     al, 0x32                ; century, year (BCD)
        call    cmos
        call    puthex2
        mov     al, 0x09
        call    cmos
        call    puthex2
        mov     al, '-'
        call    putc
        mov     al, 0x08
        call    cmos
        call    puthex2
        mov     al, '-'
        call    putc
        mov     al, 0x07
        call    cmos
        call    puthex2
        mov     al, ' '
        call    putc
        mov     al, 0x04
        call    cmos
        call    puthex2
        mov     al, ':'
        call    putc
        mov     al, 0x02
        call    cmos
        call    puthex2
        mov     al, ':'
        call    putc
        mov     al, 0x00
        call    cmos
        call    puthex2
        mov     al, 10
        jmp     putc

; ---------------------------------------------------------- memory facts
mem_facts:                              ; CMOS 0x34/0x35: 64 KiB units above 16 MiB
        mov     esi, msg_mem
        call    puts
        mov     al, 0x35
        call    cmos
        mov     ah, al
        mov     al, 0x34
        call    cmos
        movzx   eax, ax
        test    eax, eax
        jz      .low
        shr     eax, 4
        add     eax, 16
        jmp     .print
.low:   mov     al, 0x31                ; 0x30/0x31: KiB above 1 MiB
        call    cmos
        mov     ah, al
        mov     al, 0x30
        call    cmos
        movzx   eax, ax
        shr     eax, 10
        inc     eax
.print: call    putdec
        mov     esi, msg_mib
        jmp     puts

; ------------------------------------------------------------- benchmark
; xorshift32 in blocks of 256 rounds, for PERIODS one-shot countdowns of
; PIT channel 2 (mode 0, polled through port 0x61 bit 5).
bench:
        mov     esi, msg_bench
        call    puts
        call    set_cursor
        rdtsc
        mov     [tsc0], eax
        mov     [tsc0+4], edx
        xor     ebp, ebp                ; iterations
        xor     esi, esi                ; checksum
        mov     ebx, 0x2545F491         ; xorshift state
        mov     edi, PERIODS
.period:
        in      al, 0x61                ; gate 2 on, speaker off
        and     al, 0xFC
        or      al, 1
        out     0x61, al
        mov     al, 0xB0                ; channel 2, LSB then MSB, mode 0
        out     0x43, al
        mov     al, LATCH & 0xFF
        out     0x42, al
        mov     al, LATCH >> 8
        out     0x42, al
.block: mov     ecx, 256
.round: mov     eax, ebx
        shl     eax, 13
        xor     ebx, eax
        mov     eax, ebx
        shr     eax, 17
        xor     ebx, eax
        mov     eax, ebx
        shl     eax, 5
        xor     ebx, eax
        add     esi, ebx
        dec     ecx
        jnz     .round
        add     ebp, 256
        in      al, 0x61
        test    al, 0x20
        jz      .block
        dec     edi
        jnz     .period
        rdtsc
        sub     eax, [tsc0]
        sbb     edx, [tsc0+4]
        mov     ecx, PERIODS * 10000    ; TSC ticks / (PERIODS*10 ms) -> MHz
        div     ecx
        push    eax
        push    esi
        mov     eax, ebp
        call    putdec
        mov     esi, msg_iter
        call    puts
        mov     eax, ebp                ; per second
        imul    eax, eax, 1000 / (PERIODS * 10)
        call    putdec
        mov     esi, msg_persec
        call    puts
        pop     eax
        call    puthex8
        mov     esi, msg_tsc
        call    puts
        pop     eax
        call    putdec
        mov     esi, msg_mhz
        jmp     puts

; ------------------------------------------------------------ console I/O
uart_init:                              ; 115200 8N1, FIFOs on, no interrupts
        mov     dx, COM1 + 1
        xor     al, al
        out     dx, al
        mov     dx, COM1 + 3
        mov     al, 0x80
        out     dx, al
        mov     dx, COM1
        mov     al, 1
        out     dx, al
        inc     dx
        xor     al, al
        out     dx, al
        mov     dx, COM1 + 3
        mov     al, 3
        out     dx, al
        mov     dx, COM1 + 2
        mov     al, 0xC7
        out     dx, al
        mov     dx, COM1 + 4
        mov     al, 3
        out     dx, al
        ret

vga_clear:
        mov     edi, VGA
        mov     eax, 0x07200720
        mov     ecx, COLS * ROWS / 2
        rep     stosd
        mov     dword [cursor], 0
        ret

; puts prints the NUL-terminated string at esi; all registers but esi kept.
puts:   push    eax
.next:  lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     .next
.done:  pop     eax
        ret

; putc prints al on COM1 and the VGA screen (LF starts a new line).
putc:   pushad
        mov     ebx, eax
        cmp     bl, 10
        jne     .ser
        mov     al, 13
        call    serial
.ser:   mov     al, bl
        call    serial
        mov     eax, [cursor]
        cmp     bl, 10
        je      .nl
        mov     bh, [attr]
        mov     [VGA + eax*2], bx
        inc     eax
        jmp     .wrap
.nl:    xor     edx, edx                ; next line: round up to a multiple of COLS
        mov     ecx, COLS
        div     ecx
        inc     eax
        imul    eax, eax, COLS
.wrap:  cmp     eax, COLS * ROWS
        jb      .store
        mov     esi, VGA + COLS*2       ; scroll up one line
        mov     edi, VGA
        mov     ecx, COLS * (ROWS-1) / 2
        rep     movsd
        mov     eax, 0x07200720
        mov     ecx, COLS / 2
        rep     stosd
        mov     eax, COLS * (ROWS-1)
.store: mov     [cursor], eax
        popad
        ret

serial:                                 ; al -> COM1, waiting for THRE
        push    edx
        push    eax
        mov     dx, COM1 + 5
.wait:  in      al, dx
        test    al, 0x20
        jz      .wait
        pop     eax
        mov     dx, COM1
        out     dx, al
        pop     edx
        ret

set_cursor:                             ; move the hardware cursor
        pushad
        mov     ebx, [cursor]
        mov     dx, 0x3D4
        mov     al, 0x0E
        out     dx, al
        inc     dx
        mov     al, bh
        out     dx, al
        dec     dx
        mov     al, 0x0F
        out     dx, al
        inc     dx
        mov     al, bl
        out     dx, al
        popad
        ret

putdec:                                 ; eax unsigned, in decimal
        pushad
        mov     ecx, 10
        xor     ebx, ebx
.div:   xor     edx, edx
        div     ecx
        push    edx
        inc     ebx
        test    eax, eax
        jnz     .div
.out:   pop     eax
        add     al, '0'
        call    putc
        dec     ebx
        jnz     .out
        popad
        ret

puthex8:                                ; eax, 8 hex digits
        push    ecx
        mov     ecx, 8
        jmp     puthex
puthex4:                                ; ax, 4 hex digits
        push    ecx
        mov     ecx, 4
        rol     eax, 16
        jmp     puthex
puthex2:                                ; al, 2 hex digits (BCD prints as decimal)
        push    ecx
        mov     ecx, 2
        rol     eax, 24
puthex: push    eax
.digit: rol     eax, 4
        push    eax
        and     al, 0xF
        add     al, '0'
        cmp     al, '9'
        jbe     .put
        add     al, 'a' - '9' - 1
.put:   call    putc
        pop     eax
        loop    .digit
        pop     eax
        pop     ecx
        ret

; ------------------------------------------------------------------- data
msg_banner:   db "bt86 demo guest: a PC emulated in Go, instruction by instruction", 10, 0
msg_real:     db "real mode: entered at ", 0
msg_real2:    db ":0000, MSW ", 0
msg_pm:       db 10, "protected mode: flat 4 GiB segments, CPL 0", 10, 0
msg_paging:   db "paging: on, 4 KiB pages, kernel-style alias at 0xC0000000 ", 0
msg_ok:       db "ok", 10, 0
msg_bad:      db "BROKEN", 10, 0
msg_nocpuid:  db "cpu: no CPUID", 10, 0
msg_vendor:   db "cpu: ", 0
msg_maxleaf:  db ", max CPUID leaf ", 0
msg_family:   db 10, "cpu: family ", 0
msg_model:    db " model ", 0
msg_stepping: db " stepping ", 0
msg_features: db 10, "cpu:", 0
msg_nx:       db " nx", 0
msg_brand:    db 10, "cpu: ", 0
msg_rtc:      db "rtc: ", 0
msg_mem:      db "memory: ", 0
msg_mib:      db " MiB (from CMOS)", 10, 0
msg_bench:    db "benchmark: ", 0
msg_iter:     db " xorshift32 rounds in 50 ms of PIT time (", 0
msg_persec:   db "/s)", 10, "benchmark: checksum ", 0
msg_tsc:      db ", TSC at ", 0
msg_mhz:      db " MHz (measured against the PIT)", 10, 0
msg_done:     db "demo: done; powering off (cli; hlt)", 10, 0

; CPUID 1 EDX bit names, 6 bytes each.
feature_names:
        db "fpu",0,0,0, "vme",0,0,0, "de",0,0,0,0, "pse",0,0,0
        db "tsc",0,0,0, "msr",0,0,0, "pae",0,0,0, "mce",0,0,0
        db "cx8",0,0,0, "apic",0,0, "b10",0,0,0, "sep",0,0,0
        db "mtrr",0,0, "pge",0,0,0, "mca",0,0,0, "cmov",0,0
        db "pat",0,0,0, "pse36",0, "psn",0,0,0, "clfsh",0
        db "b20",0,0,0, "ds",0,0,0,0, "acpi",0,0, "mmx",0,0,0
        db "fxsr",0,0, "sse",0,0,0, "sse2",0,0, "ss",0,0,0,0
        db "htt",0,0,0, "tm",0,0,0,0, "ia64",0,0, "pbe",0,0,0

        align   8
gdt:    dq      0
        dq      0x00CF9A000000FFFF      ; 0x08 flat code, 32-bit
        dq      0x00CF92000000FFFF      ; 0x10 flat data
gdt_end:
gdt_ptr:
        dw      gdt_end - gdt - 1
        dd      gdt

attr:     db    0x07
boot_cs:  dw    0
boot_msw: dw    0
        align   4
cursor:   dd    0
features: dd    0
scratch:  dd    0
tsc0:     dq    0
vendor:   times 13 db 0
brand:    times 49 db 0

; paging_wild: 32-bit paging with page tables pointing everywhere: a page
; table beyond RAM (its entries read as all ones: every page maps the BIOS
; alias at 0xFFFFF000), a 4 MiB page in the PCI hole, pages beyond RAM and
; in the VGA window, a page directory mapped as its own page table, a
; not-present page and an instruction straddling into it. Reads of
; nothing are all ones, writes to it vanish, the guest sees #PF where the
; architecture says so, and only the page tables and the pages the
; program writes on purpose change.
%include "lib.inc"
PD      equ 0x300000
PT0     equ 0x301000            ; identity map of the first 4 MiB
PT3     equ 0x302000

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov es, ax
        ; clear the page directory and the two page tables
        mov edi, PD
        mov ecx, 3*1024
        xor eax, eax
        rep stosd
        mov edi, PT0
        mov eax, 0x3                ; present, writable
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [es:PD+0*4], PT0 | 3
        mov dword [es:PD+1*4], 0x80000000 | 7   ; 0x400000: page table beyond RAM
        mov dword [es:PD+2*4], 0xC0000000 | 0x83 ; 0x800000: 4 MiB page in the PCI hole
        mov dword [es:PD+3*4], PT3 | 3           ; 0xC00000
        mov dword [es:PD+4*4], PD | 3            ; 0x1000000: the directory as a table
        mov dword [es:PT3+0*4], 0x7FFFF000 | 3   ; 0xC00000: a page beyond RAM
        mov dword [es:PT3+1*4], 0x000B8000 | 3   ; 0xC01000: VGA text memory
        mov dword [es:PT3+2*4], 0                ; 0xC02000: not present
        mov dword [es:PT3+3*4], 0x000F0000 | 3   ; 0xC03000: BIOS ROM, writable PTE
        mov eax, cr4
        or eax, 0x10                ; PSE
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged:
        mov eax, [es:0x400000]
        CHECK "pt-beyond-ram-read", eax, 0xFFFFFFFF
        mov dword [es:0x400000], 0x12345678
        mov dword [es:0x7FF000], 0x12345678
        CHECK "pt-beyond-ram-write", [es:0x7FF000], 0xFFFFFFFF
        CHECK "pde-beyond-ram-unchanged", [es:PD+1*4], 0x80000000 | 7 | 0x20
        mov dword [es:0x800000], 0x12345678
        CHECK "pse-pci-hole", [es:0xBFFFFC], 0xFFFFFFFF
        mov dword [es:0xC00000], 0x12345678
        CHECK "page-beyond-ram", [es:0xC00000], 0xFFFFFFFF
        mov dword [es:0xC01000], 0x07420742
        CHECK "page-vga", [es:0xC01000], 0x07420742
        CHECK "page-vga-phys", [es:0xB8000], 0x07420742
        mov ebx, [es:0xF0000]
        mov dword [es:0xC03000], 0x12345678
        CHECK "page-rom-write-dropped", [es:0xC03000], ebx
        ; the directory seen as a page table: linear 0x1000000 + i*4 KiB
        ; maps the page each PDE points to; entry 4 maps the directory
        CHECK "self-map", [es:0x1004000 + 3*4], PT3 | 3 | 0x20
        ; the not-present page
        TFAULT "not-present-read", 14, 0, mov eax, [es:0xC02000]
        mov ax, SEL_FLAT
        mov es, ax
        mov eax, cr2
        CHECK "not-present-cr2", eax, 0xC02000
        TFAULT "not-present-write", 14, 2, mov dword [es:0xC02010], eax
        mov ax, SEL_FLAT
        mov es, ax
        ; a dword read straddling into the not-present page faults with
        ; CR2 at the page's first byte
        TFAULT "straddle-read", 14, 0, mov eax, [es:0xC01FFE]
        mov ax, SEL_FLAT
        mov es, ax
        mov eax, cr2
        CHECK "straddle-cr2", eax, 0xC02000
        ; an instruction straddling into it: B8 at 0xC01FFD, imm32 in
        ; the missing page; the fetch faults with CR2 0xC02000 and EIP at
        ; the instruction
        mov byte [es:0xC01FFD], 0xB8
        CATCH fetch_done
        jmp SEL_FLATCODE:0xC01FFD
        CAUGHT fetch_done
        mov ax, SEL_FLAT
        mov es, ax
        CHECK "fetch-straddle-vec", [exc_vec], 14
        CHECK "fetch-straddle-err", [exc_err], 0
        CHECK "fetch-straddle-eip", [exc_eip], 0xC01FFD
        mov eax, cr2
        CHECK "fetch-straddle-cr2", eax, 0xC02000
        ; CR3 reload and paging off again
        mov eax, cr3
        mov cr3, eax
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        DONE

gdt:    GDT_STD
gdt_end:

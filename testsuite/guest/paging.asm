; paging.asm - 32-bit and PAE paging:
;   4 KiB identity map + an alias mapping, #PF on not-present pages (CR2 and
;   error codes 0/2, and 4/5/7 from ring 3), a #PF handler that maps the page
;   and IRETs to retry the faulting instruction, CR0.WP (supervisor write to a
;   read-only page allowed with WP=0, #PF code 3 with WP=1), accessed/dirty
;   bits in PTE and PDE, a 4 MiB PSE page (with its dirty bit), INVLPG after a
;   PTE change, CR3 reload; PAE: 2 MiB pages, 4 KiB pages with 8-byte PTEs,
;   #PF on not-present, reserved-bit #PF (bit 63 with EFER.NXE=0), and, when
;   CPUID says NX exists, EFER.NXE with execute-disable pages (#PF code 0x11
;   and 0x10 for fetches).
;
;   nasm -f bin -o paging.bin paging.asm
%include "lib.inc"

SEL_C3      equ 0x38            ; ring-3 code, base PROG_BASE
SEL_D3F     equ 0x40            ; ring-3 data, base 0 (flat)
SEL_TSS     equ 0x48
C3          equ SEL_C3 | 3
D3F         equ SEL_D3F | 3
ESP0        equ 0xF000
R3_STACK    equ PROG_BASE + 0xE000   ; linear (SS = flat DPL-3 data)

PD          equ 0x100000        ; 32-bit page directory
PT0         equ 0x101000        ; 0 .. 4 MiB identity, user, writable
PT2         equ 0x102000        ; 8 MiB .. 12 MiB test pages
PDPT        equ 0x110000        ; PAE
PAE_PD      equ 0x111000
PAE_PT      equ 0x112000
PHYS        equ 0x200000        ; physical test pages 0x200000 + n*4K
TLIN        equ 0x800000        ; linear test pages (PT2)
MARK        equ 0x5A000000      ; dword at the start of physical page n: MARK+n

P           equ 1
W           equ 2
U           equ 4
A           equ 0x20
D           equ 0x40
PS          equ 0x80

%macro RING3 1
        CATCH %%back
        push dword D3F
        push dword R3_STACK
        push dword 0x202
        push dword C3
        push dword %1
        iretd
        CAUGHT %%back
        ; IRET to ring 3 nulls GS (its DPL 0 < CPL 3), as the SDM requires;
        ; QEMU does not, so reload it explicitly.
        push eax
        mov ax, SEL_FLAT
        mov gs, ax
        pop eax
%endmacro
; R3PF name, errcode, instruction: run at CPL 3 with DS = flat DPL-3 data
%macro R3PF 3+
        jmp %%go
%%code: mov ax, D3F
        mov ds, ax
        %3
        int 0x30
%%go:   RING3 %%code
        CHECK {%1, "-vec"}, [exc_vec], 14
        CHECK {%1, "-err"}, [exc_err], %2
%endmacro
; PFTEST name, errcode, cr2, instruction: expect a #PF at CPL 0
%macro PFTEST 4+
        TFAULT %1, 14, %2, %4
        CHECK {%1, "-cr2"}, [pf_cr2], %3
%endmacro

main:
        ENTER_PM32
        call idt_init32
        mov eax, 14
        mov ebx, pf_handler
        mov ecx, 0x8E
        call set_gate32
        mov eax, 0x30
        mov ebx, int30_stub
        mov ecx, 0xEE
        call set_gate32
        mov ax, SEL_TSS
        ltr ax
        mov ax, SEL_FLAT
        mov gs, ax

        ; ---- physical test pages and 32-bit tables ------------------------------
        mov edi, PHYS
        xor ebx, ebx
.mark:  mov ecx, 1024
        xor eax, eax
.zp:    mov [gs:edi + ecx*4 - 4], eax
        loop .zp
        lea eax, [MARK + ebx]
        mov [gs:edi], eax
        add edi, 0x1000
        inc ebx
        cmp ebx, 16
        jb .mark
        mov edi, PD
        mov ecx, 3 * 1024           ; PD, PT0, PT2
        xor eax, eax
.z:     mov [gs:edi], eax
        add edi, 4
        loop .z
        xor ecx, ecx
.pt0:   mov eax, ecx
        shl eax, 12
        or eax, P | W | U
        mov [gs:PT0 + ecx*4], eax
        inc ecx
        cmp ecx, 1024
        jb .pt0
        mov dword [gs:PD + 0*4], PT0 | P | W | U
        mov dword [gs:PD + 2*4], PT2 | P | W | U
        mov dword [gs:PD + 3*4], 0 | PS | P | W | U       ; 4 MiB page -> 0
        mov dword [gs:PT2 + 0*4], PHYS + 0x0000 | P | W | U     ; alias
        mov dword [gs:PT2 + 1*4], 0                             ; not present
        mov dword [gs:PT2 + 2*4], PHYS + 0x2000 | P | U         ; read-only
        mov dword [gs:PT2 + 3*4], PHYS + 0x3000 | P | W | U     ; A/D test
        mov dword [gs:PT2 + 4*4], PHYS + 0x4000 | P | W | U     ; INVLPG
        mov dword [gs:PT2 + 5*4], 0                             ; not present
        mov dword [gs:PT2 + 6*4], PHYS + 0x6000 | P | W         ; supervisor
        mov dword [gs:PT2 + 7*4], PHYS + 0x7000 | P | U         ; user RO

        mov eax, 1
        cpuid
        mov [cpuid1_edx], edx
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10                ; PSE
        mov cr4, eax
        mov eax, cr0
        and eax, ~0x10000           ; WP = 0
        or eax, 0x80000000          ; PG
        mov cr0, eax
        jmp .pg_on
.pg_on:
        mov eax, cr0
        shr eax, 31
        CHECK "pg-enabled", eax, 1
        mov eax, [gs:PROG_BASE + marker]
        CHECK "pg-identity", eax, 0x1DE97171
        CHECK "pg-alias-read", [gs:TLIN], MARK + 0
        mov dword [gs:TLIN + 0x10], 0xA11A5ED
        CHECK "pg-alias-write", [gs:PHYS + 0x10], 0xA11A5ED

        ; ---- #PF at CPL 0 ------------------------------------------------------------
        PFTEST "pf-read-notpresent", 0, TLIN + 0x1234, mov eax, [gs:TLIN + 0x1234]
        PFTEST "pf-write-notpresent", 2, TLIN + 0x1238, mov [gs:TLIN + 0x1238], eax
        mov ecx, 0xCCCCCCCC
        mov dword [pf_fix_pte], PT2 + 1*4
        mov dword [pf_fix_val], PHYS + 0x1000 | P | W | U
        mov eax, 0x11111111
        mov eax, [gs:TLIN + 0x1000]         ; faults, mapped, retried
        CHECK "pf-fix-retry-value", eax, MARK + 1
        CHECK "pf-fix-retry-count", [pf_fix_count], 1
        CHECK "pf-fix-retry-err", [pf_fix_err], 0
        CHECK "pf-fix-retry-cr2", [pf_cr2], TLIN + 0x1000
        ; CR0.WP
        TNOFAULT "wp0-supervisor-write-ro", mov dword [gs:TLIN + 0x2040], 0x57A7E
        CHECK "wp0-write-landed", [gs:PHYS + 0x2040], 0x57A7E
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax
        PFTEST "wp1-supervisor-write-ro", 3, TLIN + 0x2044, mov dword [gs:TLIN + 0x2044], 1
        TNOFAULT "wp1-supervisor-read-ro", mov eax, [gs:TLIN + 0x2000]
        ; accessed / dirty
        mov eax, [gs:PT2 + 3*4]
        and eax, A | D
        CHECK "ad-initially-clear", eax, 0
        mov eax, [gs:TLIN + 0x3000]
        mov eax, [gs:PT2 + 3*4]
        and eax, A | D
        CHECK "ad-read-sets-a", eax, A
        mov dword [gs:TLIN + 0x3004], 1
        mov eax, [gs:PT2 + 3*4]
        and eax, A | D
        CHECK "ad-write-sets-d", eax, A | D
        mov eax, [gs:PD + 2*4]
        and eax, A
        CHECK "ad-pde-accessed", eax, A
        ; 4 MiB page
        mov eax, [gs:0xC00000 + PROG_BASE + marker]
        CHECK "pse-4m-read", eax, 0x1DE97171
        mov eax, [gs:PD + 3*4]
        and eax, D
        CHECK "pse-4m-clean", eax, 0
        mov dword [gs:0xC00000 + PHYS + 0x20], 0x4444
        CHECK "pse-4m-write", [gs:PHYS + 0x20], 0x4444
        mov eax, [gs:PD + 3*4]
        and eax, A | D
        CHECK "pse-4m-dirty", eax, A | D
        ; INVLPG and CR3 reload
        CHECK "tlb-before", [gs:TLIN + 0x4000], MARK + 4
        mov dword [gs:PT2 + 4*4], PHYS + 0x5000 | P | W | U
        invlpg [gs:TLIN + 0x4000]
        CHECK "invlpg-new-mapping", [gs:TLIN + 0x4000], MARK + 5
        mov dword [gs:PT2 + 4*4], PHYS + 0x4000 | P | W | U
        mov eax, cr3
        mov cr3, eax
        CHECK "cr3-reload-new-mapping", [gs:TLIN + 0x4000], MARK + 4

        ; ---- #PF at CPL 3 ----------------------------------------------------------------
        R3PF "pf-user-read-notpresent", 4, mov eax, [TLIN + 0x5000]
        CHECK "pf-user-cr2", [pf_cr2], TLIN + 0x5000
        CHECK "pf-user-frame-cs", [exc_cs], C3
        R3PF "pf-user-read-supervisor", 5, mov eax, [TLIN + 0x6010]
        CHECK "pf-user-supervisor-cr2", [pf_cr2], TLIN + 0x6010
        R3PF "pf-user-write-ro", 7, mov dword [TLIN + 0x7000], 0
        R3PF "pf-user-write-notpresent", 6, mov dword [TLIN + 0x5000], 0
        jmp .r3ok_go
.r3ok:  mov ax, D3F
        mov ds, ax
        mov eax, [TLIN + 0x7000]
        int 0x30
.r3ok_go:
        RING3 .r3ok
        CHECK "user-read-ro-ok", [exc_vec], 0x30

        ; paging off again
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        mov eax, [gs:PHYS]
        CHECK "pg-off-identity", eax, MARK

        ; ---- PAE -------------------------------------------------------------------------
        test dword [cpuid1_edx], 1 << 6
        jnz .pae
        SKIP "pae not in CPUID"
        jmp .done
.pae:   mov edi, PDPT
        mov ecx, 3 * 1024
        xor eax, eax
.zpae:  mov [gs:edi], eax
        add edi, 4
        loop .zpae
        mov dword [gs:PDPT + 0], PAE_PD | P
        mov dword [gs:PAE_PD + 0*8], 0x000000 | PS | P | W | U    ; 0-2M identity
        mov dword [gs:PAE_PD + 1*8], 0x200000 | PS | P | W | U    ; 2-4M identity
        mov dword [gs:PAE_PD + 2*8], 0x200000 | PS | P | W | U    ; 4M -> 2M alias
        mov dword [gs:PAE_PD + 3*8], PAE_PT | P | W | U           ; 6M: 4K pages
        mov dword [gs:PAE_PT + 0*8], PHYS + 0x1000 | P | W | U
        mov dword [gs:PAE_PT + 1*8], 0                            ; not present
        mov dword [gs:PAE_PT + 2*8], PHYS + 0x2000 | P | W | U
        mov dword [gs:PAE_PT + 2*8 + 4], 0x80000000               ; bit 63
        mov dword [gs:PAE_PT + 3*8], PHYS + 0x3000 | P | W | U    ; code
        mov dword [gs:PAE_PT + 4*8], PHYS + 0x4000 | P | W | U    ; code
        ; "mov eax, 0x12345678 / ret" in physical pages 3 and 4
        mov dword [gs:PHYS + 0x3000], 0x345678B8
        mov dword [gs:PHYS + 0x3004], 0x0000C312
        mov dword [gs:PHYS + 0x4000], 0x345678B8
        mov dword [gs:PHYS + 0x4004], 0x0000C312
        mov eax, cr4
        or eax, 0x20                ; PAE
        mov cr4, eax
        mov eax, PDPT
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .pae_on
.pae_on:
        mov eax, [gs:PROG_BASE + marker]
        CHECK "pae-identity-2m", eax, 0x1DE97171
        CHECK "pae-2m-alias", [gs:0x400000], MARK + 0
        CHECK "pae-4k-page", [gs:0x600000], MARK + 1
        PFTEST "pae-pf-notpresent", 0, 0x601010, mov eax, [gs:0x601010]
        TFAULT "pae-pf-rsvd-bit63", 14, none, mov eax, [gs:0x602000]
        CHECKQ "pae-pf-rsvd-bit63-err", [exc_err], 9     ; P=1 RSVD=1
        CHECK "pae-pf-rsvd-bit63-cr2", [pf_cr2], 0x602000
        mov eax, [gs:PAE_PD + 2*8]
        and eax, D
        CHECK "pae-2m-clean", eax, 0
        mov dword [gs:0x400100], 0x2222
        mov eax, [gs:PAE_PD + 2*8]
        and eax, A | D
        CHECK "pae-2m-dirty", eax, A | D
        CHECK "pae-2m-write-landed", [gs:0x200100], 0x2222
        mov eax, [gs:PAE_PT + 0*8]
        and eax, A
        CHECK "pae-pte-accessed", eax, A
        xor eax, eax
        mov ebx, 0x604000 - PROG_BASE
        call ebx
        CHECK "pae-exec-4k", eax, 0x12345678
        ; NX
        mov eax, 0x80000000
        cpuid
        cmp eax, 0x80000001
        jb .nonx
        mov eax, 0x80000001
        cpuid
        bt edx, 20
        jc .nx
.nonx:  SKIP "nx not in CPUID"
        jmp .pae_off
.nx:    mov ecx, 0xC0000080         ; EFER
        rdmsr
        or eax, 0x800               ; NXE
        wrmsr
        mov eax, cr3
        mov cr3, eax
        TNOFAULT "nx-bit63-not-reserved", mov eax, [gs:0x602000]
        mov dword [gs:PAE_PT + 3*8 + 4], 0x80000000
        invlpg [gs:0x603000]
        TNOFAULT "nx-data-read-ok", mov eax, [gs:0x603000]
        mov ebx, 0x603000 - PROG_BASE
        PFTEST "nx-fetch", 0x11, 0x603000, call ebx
        mov ebx, 0x601000 - PROG_BASE
        PFTEST "nx-fetch-notpresent", 0x10, 0x601000, call ebx
        mov eax, 0
        mov ebx, 0x604000 - PROG_BASE
        call ebx
        CHECK "nx-exec-allowed-page", eax, 0x12345678
        mov ecx, 0xC0000080
        rdmsr
        and eax, ~0x800
        wrmsr
.pae_off:
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        mov eax, cr4
        and eax, ~0x20
        mov cr4, eax
.done:
        DONE

; ---------------------------------------------------------------------------
pf_handler:
        push eax
        mov eax, cr2
        mov [ss:pf_cr2], eax
        mov eax, [ss:pf_fix_pte]
        test eax, eax
        jz .catch
        push ebx                    ; map the page and retry
        mov ebx, [ss:pf_fix_val]
        mov [ss:eax - PROG_BASE], ebx
        mov ebx, [esp+8]
        mov [ss:pf_fix_err], ebx
        pop ebx
        mov dword [ss:pf_fix_pte], 0
        inc dword [ss:pf_fix_count]
        pop eax
        add esp, 4
        iretd
.catch: pop eax
        jmp exc_stub_14

int30_stub:
        push dword -1
        push dword 0x30
        jmp exc_common

        align 4
marker:         dd 0x1DE97171
cpuid1_edx:     dd 0
pf_cr2:         dd 0
pf_fix_pte:     dd 0
pf_fix_val:     dd 0
pf_fix_err:     dd 0
pf_fix_count:   dd 0

        align 8
tss:    dd 0, ESP0, SEL_DATA32
        times 22 dd 0
        dw 0, 104
tss_end:

        align 8
gdt:    GDT_STD
        DESC PROG_BASE, 0xFFFFF, ACC_P|ACC_DPL(3)|ACC_CODE|ACC_RW|ACC_A, FL_G|FL_D  ; 38
        DESC 0, 0xFFFFF, ACC_P|ACC_DPL(3)|ACC_DATA|ACC_RW|ACC_A, FL_G|FL_D          ; 40
        DESC tss - $$ + PROG_BASE, tss_end - tss - 1, ACC_P|0x09, 0                ; 48
gdt_end:

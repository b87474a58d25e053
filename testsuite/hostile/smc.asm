; smc: self-modifying code racing with whatever caches or translates it.
; A store into the very next instruction, a hot loop that rewrites its own
; body while it runs, REP STOSB over the bytes right after the REP, and
; code rewritten through a second linear mapping of its page. Every check
; is the architectural result: the next fetch sees the new bytes.
%include "lib.inc"
PD      equ 0x300000
PT0     equ 0x301000

main:
        ENTER_PM32
        call idt_init32
        mov ax, SEL_FLAT
        mov es, ax

        ; 1. the store hits the next instruction's immediate
        mov byte [next_imm + 1], 0x42
next_imm:
        mov al, 0x00
        movzx eax, al
        CHECK "next-insn-imm", eax, 0x42

        ; 2. a hot loop: 20000 iterations add the immediate of `add`;
        ; at iteration 10000 the loop rewrites that immediate from 1 to 3
        xor ebx, ebx
        mov ecx, 20000
hot:
        cmp ecx, 10000
        jne .same
        mov byte [hot_add + 2], 3
.same:
hot_add:
        add ebx, byte 1
        dec ecx
        jnz hot
        CHECK "hot-loop", ebx, 10000*1 + 10000*3
        mov byte [hot_add + 2], 1

        ; 3. REP STOSB overwrites the two bytes after itself (a UD2)
        ; with NOPs
        mov edi, rep_target + PROG_BASE
        mov ecx, 2
        mov al, 0x90
        TNOFAULT "rep-over-next", {call rep_over}
        mov ax, SEL_FLAT            ; TNOFAULT reloaded ES
        mov es, ax

        ; 4. a loop whose body is replaced wholesale: copy body_b over
        ; body_a between calls
        call body_a
        mov edx, eax
        mov esi, body_b
        mov edi, body_a + PROG_BASE
        mov ecx, body_len
        rep movsb
        call body_a
        CHECK "replace-before", edx, 0x1111
        CHECK "replace-after", eax, 0x2222

        ; 5. the same physical page through two linear addresses: with
        ; paging, linear 0x400000+x maps the program's pages too; a write
        ; through the alias changes what executes at the original address
        mov edi, PD
        mov ecx, 2*1024
        xor eax, eax
        rep stosd
        mov edi, PT0
        mov eax, 0x3
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [es:PD], PT0 | 3
        mov dword [es:PD+4], PT0 | 3    ; 0x400000 aliases the first 4 MiB
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .pg
.pg:    call alias_fn
        mov edx, eax
        mov byte [es:0x400000 + PROG_BASE + alias_fn + 1], 0x77
        call alias_fn
        CHECK "alias-before", edx, 0x55
        CHECK "alias-after", eax, 0x77
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        jmp .nopg
.nopg:
        DONE

rep_over:
        rep stosb
rep_target:
        ud2
        ret

body_a:
        mov eax, 0x1111
        ret
body_b:
        mov eax, 0x2222
        ret
body_len equ $ - body_b

alias_fn:
        mov eax, 0x55
        ret

gdt:    GDT_STD
gdt_end:

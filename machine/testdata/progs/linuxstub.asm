; linux_stub: the protected-mode part of a synthetic bzImage. Checks the
; 32-bit boot protocol entry state, prints the command line and the first
; 4 bytes of the initrd on port 0xE9, then cli; hlt.
        bits 32
        org 0x100000
        mov     esp, 0x90000            ; the protocol gives no stack
        mov     edx, 0xE9
        cmp     dword [esi+0x202], 0x53726448
        jne     fail
        mov     ax, cs
        cmp     ax, 0x10
        jne     fail
        mov     ax, ds
        cmp     ax, 0x18
        jne     fail
        mov     ax, ss
        cmp     ax, 0x18
        jne     fail
        mov     ax, es
        cmp     ax, 0x18
        jne     fail
        test    ebx, ebx
        jnz     fail
        test    ebp, ebp
        jnz     fail
        test    edi, edi
        jnz     fail
        pushfd
        pop     eax
        test    eax, 0x200
        jnz     fail
        mov     eax, cr0
        test    eax, 0x80000000
        jnz     fail
        test    al, 1
        jz      fail
        mov     ebx, esi
        mov     esi, [ebx+0x228]
.l:     lodsb
        test    al, al
        jz      .done
        out     dx, al
        jmp     .l
.done:  mov     al, '|'
        out     dx, al
        mov     esi, [ebx+0x218]
        mov     ecx, 4
        rep     outsb
        mov     al, 10
        out     dx, al
        cli
        hlt
fail:   mov     al, '!'
        out     dx, al
        cli
        hlt

; far_garbage: far JMP and far CALL to every one of the 65536 selectors
; with the standard GDT plus hostile entries. Selectors that are not the
; three code segments at RPL 0 give #GP(selector) (null: #GP(0), RPL
; above the DPL: #GP(selector)); the hostile entries at RPL 0 give #NP,
; #GP or #TS as the architecture says. No far transfer
; ever lands anywhere.
%include "lib.inc"
SEL_NP     equ GDT_STD_END          ; not-present code
SEL_GNULL  equ GDT_STD_END + 0x08   ; call gate to the null selector
SEL_GFAR   equ GDT_STD_END + 0x10   ; call gate to a selector beyond the GDT
SEL_SMALLT equ GDT_STD_END + 0x18   ; available 32-bit TSS, limit 0x10
SEL_LDTD   equ GDT_STD_END + 0x20   ; an LDT descriptor
SEL_CONF3  equ GDT_STD_END + 0x28   ; conforming code, DPL 3
SEL_TGATE  equ GDT_STD_END + 0x30   ; task gate to a data segment
GDT_LAST   equ GDT_STD_END + 0x38

main:
        ENTER_PM32
        call idt_init32
        xor eax, eax
        lldt ax                     ; LDTR null (after reset it is base 0,
                                    ; limit 0xFFFF: the IVT would be an LDT)
        xor edi, edi                ; mismatches
        xor esi, esi                ; selector
.sel:
        mov eax, esi                ; the code segments at RPL 0 would land
        cmp eax, SEL_CODE32
        je .next
        cmp eax, SEL_CODE16
        je .next
        cmp eax, SEL_FLATCODE
        je .next
        call expect                 ; EBX = vector, EDX = error code
        mov [far_ptr + 4], si
        CATCH .jmp_done
        jmp far [far_ptr]
        CAUGHT .jmp_done
        cmp [exc_vec], ebx
        jne .bad1
        cmp [exc_err], edx
        je .call
.bad1:  inc edi
        call report
.call:
        CATCH .call_done
        call far [far_ptr]
        CAUGHT .call_done
        cmp [exc_vec], ebx
        jne .bad2
        cmp [exc_err], edx
        je .next
.bad2:  inc edi
        call report
.next:
        inc esi
        cmp esi, 0x10000
        jb .sel
        CHECK "far-all-selectors", edi, 0
        CHECK "never-landed", [landed], 0
        DONE

; expect: ESI selector -> EBX vector, EDX error code
expect:
        mov edx, esi
        and edx, 0xFFFC
        mov ebx, 13
        cmp edx, 0
        jne .notnull
        ret
.notnull:
        test esi, 4                 ; TI: no LDT is loaded
        jnz .ret
        test esi, 3                 ; RPL above every DPL-0 entry's
        jnz .ret
        cmp edx, SEL_NP
        jne .n1
        mov ebx, 11
        ret
.n1:    cmp edx, SEL_GNULL          ; gate to null: #GP(0)
        jne .n2
        xor edx, edx
        ret
.n2:    cmp edx, SEL_GFAR           ; gate to 0x7FF8: #GP(0x7FF8)
        jne .n3
        mov edx, 0x7FF8
        ret
.n3:    cmp edx, SEL_SMALLT         ; TSS limit below 0x67: #TS(sel)
        jne .n4
        mov ebx, 10
        ret
.n4:    cmp edx, SEL_TGATE          ; task gate to a data segment: #GP(0x10)
        jne .ret
        mov edx, SEL_DATA32
.ret:   ret

report:
        pushad
        PRINT "mismatch sel="
        mov eax, esi
        call puthex32
        PRINT " vec="
        mov eax, [exc_vec]
        call puthex32
        PRINT " err="
        mov eax, [exc_err]
        call puthex32
        mov al, 10
        out DEBUG_PORT, al
        popad
        ret

target:
        inc dword [landed]
        jmp $

        align 4
far_ptr: dd target
        dw 0
landed: dd 0

gdt:    GDT_STD
        DESC 0, 0xFFFFF, ACC_CODE|ACC_RW|ACC_A, FL_G|FL_D               ; NP
        GATE 0, (target - $$), 0x8C, 0                                      ; gate -> null
        GATE 0x7FF8, (target - $$), 0x8C, 0                                 ; gate -> beyond
        DESC 0x20000, 0x10, ACC_P|0x09, 0                            ; tiny TSS
        DESC 0x20000, 0xFFF, ACC_P|0x02, 0                           ; LDT
        DESC 0, 0xFFFFF, ACC_P|ACC_CODE|ACC_CONF|ACC_RW|ACC_DPL(3), FL_G|FL_D ; conforming DPL3
        GATE SEL_DATA32, 0, 0x85, 0                                  ; task gate -> data
gdt_end:

// Package cpio reads and writes cpio archives in the SVR4 "newc" format
// (magic "070701"), the format the Linux kernel unpacks as an initramfs.
//
// Contract:
//
//   - Writer emits directories, regular files, symlinks, character and
//     block device nodes and FIFOs. Output is reproducible: inode numbers
//     count up from 1 in write order, uid and gid are 0 unless set, the
//     modification time is the one set with SetMTime (0 by default), and
//     nlink is 2 for directories and 1 otherwise. Names are stored without
//     a leading "/" and must be clean relative paths. Close appends the
//     "TRAILER!!!" entry; headers, names and data are padded to 4 bytes.
//   - Reader walks an archive entry by entry, like archive/tar: Next
//     returns the next Header (io.EOF after the trailer), Read returns the
//     entry's data. It validates every header field and never panics or
//     allocates more than a bounded amount per header on any input.
//
// Neither type is safe for concurrent use. The package has no
// package-level mutable state.
package cpio

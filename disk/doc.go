// Package disk gives the emulator's disks their backing store: raw image
// files, read-only or with a copy-on-write overlay in memory.
//
// Contract:
//
//   - Image is what a disk controller sees: ReadAt and WriteAt at any byte
//     offset within Size (io.ReaderAt/io.WriterAt semantics; an access
//     past the end is an error and transfers only the bytes inside),
//     Flush and Close. Size never changes.
//   - Open opens a raw image file. Writes go to the file in the order the
//     guest issues them, one pwrite each, with no cache in the emulator:
//     a write that returned is in the host's page cache, so killing the
//     emulator (kill -9) at any point leaves the file holding exactly the
//     writes that completed. Flush (the guest's FLUSH CACHE) is fsync,
//     which carries them through a host crash as well.
//   - Options.Snapshot keeps every write in memory (512-byte blocks over
//     the file, opened read-only): the file is never written, and the
//     writes are lost at Close. Options.ReadOnly refuses writes with
//     ErrReadOnly.
//   - Bad files are refused by Open with an error naming the path: a
//     missing, unreadable, empty (or shorter than one sector) file, a
//     directory or another non-regular file.
//   - NewMemory makes an image from a byte slice (tests, generated disks).
//
// An Image is not safe for concurrent use: one controller owns it.
package disk

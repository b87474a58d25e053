package cpio

import (
	"fmt"
	"path"
	"strings"
)

// Format constants.
const (
	// Magic opens every newc header.
	Magic = "070701"
	// HeaderSize is the size of a newc header before the name.
	HeaderSize = 110
	// TrailerName names the entry that ends an archive.
	TrailerName = "TRAILER!!!"
	// MaxNameSize bounds a name, its terminating NUL included (PATH_MAX).
	MaxNameSize = 4096
	// MaxLinkSize bounds a symlink target.
	MaxLinkSize = 4095
)

// File type bits of Header.Mode (the st_mode S_IF* values).
const (
	TypeMask    = 0o170000
	TypeFIFO    = 0o010000
	TypeChar    = 0o020000
	TypeDir     = 0o040000
	TypeBlock   = 0o060000
	TypeReg     = 0o100000
	TypeSymlink = 0o120000
	TypeSocket  = 0o140000

	// PermMask selects the permission, setuid, setgid and sticky bits.
	PermMask = 0o7777
)

// Header is one archive entry's metadata.
type Header struct {
	Name  string // relative path, no leading "/"
	Mode  uint32 // file type bits | permission bits
	UID   uint32
	GID   uint32
	NLink uint32
	MTime uint32 // seconds since the epoch
	Size  int64  // data length: file contents or symlink target
	Ino   uint32

	DevMajor, DevMinor   uint32 // device holding the file (informational)
	RDevMajor, RDevMinor uint32 // device number of a char/block node

	// Linkname is a symlink's target. The Reader fills it in (and the
	// target is then not returned by Read); the Writer stores it as the
	// entry's data.
	Linkname string
}

// Type returns the file type bits of Mode.
func (h Header) Type() uint32 { return h.Mode & TypeMask }

// Perm returns the permission bits of Mode.
func (h Header) Perm() uint32 { return h.Mode & PermMask }

// TypeString names a file type, for messages.
func TypeString(t uint32) string {
	switch t & TypeMask {
	case TypeFIFO:
		return "fifo"
	case TypeChar:
		return "char device"
	case TypeDir:
		return "directory"
	case TypeBlock:
		return "block device"
	case TypeReg:
		return "file"
	case TypeSymlink:
		return "symlink"
	case TypeSocket:
		return "socket"
	}
	return fmt.Sprintf("type %#o", t&TypeMask)
}

// CleanName turns a path into the form stored in an archive: slash
// separated, no leading "/" or "./", no "." or ".." elements. It fails for
// an empty name, one that escapes the root, or one containing a NUL.
func CleanName(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("cpio: name %q contains a NUL byte", name)
	}
	c := path.Clean("/" + name)
	c = strings.TrimPrefix(c, "/")
	if c == "" {
		return "", fmt.Errorf("cpio: name %q names the root", name)
	}
	// Clean of a rooted path drops leading "..", so a name that tried to
	// escape ends up shorter: reject those explicitly.
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", fmt.Errorf("cpio: name %q contains \"..\"", name)
		}
	}
	if c == TrailerName {
		return "", fmt.Errorf("cpio: name %q is reserved for the trailer", name)
	}
	if len(c)+1 > MaxNameSize {
		return "", fmt.Errorf("cpio: name of %d bytes is longer than %d", len(c), MaxNameSize-1)
	}
	return c, nil
}

// pad4 returns how many bytes bring n to a multiple of 4.
func pad4(n int64) int64 { return (4 - n%4) % 4 }

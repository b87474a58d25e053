package disk

import "io"

// overlay is a copy-on-write layer over a base image: written blocks live
// in memory, the base is only read.
type overlay struct {
	base     Image
	blocks   map[int64]*[SectorSize]byte // by block number
	readOnly bool
}

// NewSnapshot returns an image that reads base but keeps every write in
// memory, leaving base unchanged. Closing it closes base.
func NewSnapshot(base Image) Image { return newOverlay(base, false) }

func newOverlay(base Image, readOnly bool) *overlay {
	return &overlay{base: base, blocks: make(map[int64]*[SectorSize]byte), readOnly: readOnly}
}

func (o *overlay) Size() int64 { return o.base.Size() }

func (o *overlay) ReadAt(p []byte, off int64) (int, error) {
	n, clipped := clip(len(p), off, o.Size())
	done := 0
	for done < n {
		pos := off + int64(done)
		blk, in := pos/SectorSize, int(pos%SectorSize)
		chunk := min(SectorSize-in, n-done)
		if b, ok := o.blocks[blk]; ok {
			copy(p[done:done+chunk], b[in:])
		} else if got, err := o.base.ReadAt(p[done:done+chunk], pos); err != nil && !(err == io.EOF && got == chunk) {
			return done + got, err
		}
		done += chunk
	}
	if clipped {
		return n, io.EOF
	}
	return n, nil
}

func (o *overlay) WriteAt(p []byte, off int64) (int, error) {
	if o.readOnly {
		return 0, ErrReadOnly
	}
	n, clipped := clip(len(p), off, o.Size())
	done := 0
	for done < n {
		pos := off + int64(done)
		blk, in := pos/SectorSize, int(pos%SectorSize)
		chunk := min(SectorSize-in, n-done)
		b, ok := o.blocks[blk]
		if !ok {
			b = new([SectorSize]byte)
			if chunk < SectorSize {
				// A partial block: start from the base's contents (the
				// last block of an image may be short).
				start := blk * SectorSize
				m, _ := clip(SectorSize, start, o.Size())
				if got, err := o.base.ReadAt(b[:m], start); err != nil && !(err == io.EOF && got == m) {
					return done, err
				}
			}
			o.blocks[blk] = b
		}
		copy(b[in:in+chunk], p[done:])
		done += chunk
	}
	if clipped {
		return n, errBeyondEnd
	}
	return n, nil
}

// Flush has nothing to do: the overlay is never written anywhere.
func (o *overlay) Flush() error { return nil }

func (o *overlay) Close() error {
	o.blocks = nil
	return o.base.Close()
}

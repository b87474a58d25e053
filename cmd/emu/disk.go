package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"bt86/disk"
	"bt86/machine"
)

// diskUsage is the part of the usage text for disks and firmware.
const diskUsage = `
Disks and firmware:
  -hda/-hdb/-hdc/-hdd FILE  raw disk image as IDE primary master/slave,
                    secondary master/slave (emu FILE is -hda FILE)
  -cdrom FILE       ISO image in an ATAPI CD-ROM drive (secondary master);
                    with no hard disk, the firmware boots it (El Torito)
  -snapshot         keep disk writes in memory: the image files are
                    never written
  -bios FILE        run a BIOS ROM image (SeaBIOS's bios.bin) from the
                    reset vector instead of the direct loaders
  -vgabios FILE     VGA option ROM for -bios, handed over QEMU's fw_cfg
                    (SeaBIOS's vgabios-isavga.bin: a VGA text screen)
`

// diskOptions are the disk and firmware flags.
type diskOptions struct {
	hd       [4]string
	cdrom    string
	snapshot bool
	bios     string
	vgabios  string
}

// register adds the flags to fs.
func (d *diskOptions) register(fs *flag.FlagSet) {
	for i, name := range []string{"hda", "hdb", "hdc", "hdd"} {
		fs.StringVar(&d.hd[i], name, "", "")
	}
	fs.StringVar(&d.cdrom, "cdrom", "", "")
	fs.BoolVar(&d.snapshot, "snapshot", false, "")
	fs.StringVar(&d.bios, "bios", "", "")
	fs.StringVar(&d.vgabios, "vgabios", "", "")
}

// positional takes QEMU's positional disk image (emu disk.img = -hda).
func (d *diskOptions) positional(args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case len(args) > 1:
		return fmt.Errorf("unexpected argument %q (one disk image at most; use -hdb..-hdd for more)", args[1])
	case d.hd[0] != "":
		return fmt.Errorf("unexpected argument %q: -hda is already given", args[0])
	}
	d.hd[0] = args[0]
	return nil
}

// any reports whether a disk is given.
func (d *diskOptions) any() bool { return d.hd != [4]string{} || d.cdrom != "" }

// check validates the flags against the boot source.
func (d *diskOptions) check(kernel string) error {
	switch {
	case d.cdrom != "" && d.hd[2] != "":
		return errors.New("-hdc and -cdrom are both the secondary master: use one")
	case d.bios != "" && kernel != "":
		return errors.New("-kernel and -bios cannot be combined: -kernel boots Linux directly, without firmware")
	case d.vgabios != "" && d.bios == "":
		return errors.New("-vgabios needs -bios: the firmware runs the VGA BIOS")
	case d.cdrom != "" && d.bios == "" && kernel == "":
		return errors.New("booting a CD-ROM needs firmware with El Torito: add -bios FILE (for example SeaBIOS's bios.bin)")
	}
	return nil
}

// open reads the firmware and opens the disks into cfg. The returned
// closer flushes and closes the disks.
func (d *diskOptions) open(cfg *machine.Config) (io.Closer, error) {
	if d.bios != "" {
		img, err := readFile("-bios", d.bios)
		if err != nil {
			return nil, err
		}
		if err := machine.CheckFirmware(img); err != nil {
			return nil, fmt.Errorf("-bios %s: %v", d.bios, err)
		}
		cfg.BIOSImage = img
	}
	if d.vgabios != "" {
		img, err := readFile("-vgabios", d.vgabios)
		if err != nil {
			return nil, err
		}
		if len(img) < 512 || img[0] != 0x55 || img[1] != 0xAA {
			return nil, fmt.Errorf("-vgabios %s: not an option ROM (no 0x55 0xAA signature)", d.vgabios)
		}
		cfg.VGABIOS = img
	}
	var c diskCloser
	for i, path := range d.hd {
		if path == "" {
			continue
		}
		img, err := disk.Open(path, disk.Options{Snapshot: d.snapshot})
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("-hd%c: %v", 'a'+i, err)
		}
		cfg.Disks[i] = img
		c = append(c, img)
	}
	if d.cdrom != "" {
		img, err := disk.Open(d.cdrom, disk.Options{ReadOnly: true})
		if err == nil && img.Size() < 2048 {
			img.Close()
			err = fmt.Errorf("%s: CD image is %d bytes, less than one 2048-byte sector", d.cdrom, img.Size())
		}
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("-cdrom: %v", err)
		}
		cfg.CDROM = img
		c = append(c, img)
	}
	return c, nil
}

// diskCloser flushes and closes the open disks.
type diskCloser []disk.Image

func (c diskCloser) Close() error {
	var first error
	for _, img := range c {
		if err := img.Flush(); err != nil && first == nil {
			first = err
		}
		if err := img.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

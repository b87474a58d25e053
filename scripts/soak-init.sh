#!/bin/sh
# soak-init.sh: the scripted session of scripts/soak.sh, run as the
# initramfs's init (rdinit=/soak.sh). Everything it prints goes to the
# serial console; no input is needed, so under emu -icount every run
# must print the same bytes.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
echo "SOAK-BEGIN"
uname -a
cat /proc/cmdline
grep -E '^(model name|flags|bogomips)' /proc/cpuinfo
head -n 3 /proc/meminfo
ls / /bin | md5sum
md5sum /bin/busybox
dd if=/dev/zero bs=4096 count=256 2>/dev/null | gzip -1 | md5sum
i=0
while [ $i -lt 200 ]; do i=$((i + 1)); done
echo "loop $i"
echo "SOAK-END"
sync
poweroff -f

package imagefs

import "encoding/binary"

// capNames are the Linux capabilities by number (linux/capability.h).
var capNames = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// fileCaps decodes a security.capability extended attribute (struct
// vfs_cap_data, versions 1 to 3) into the permitted capabilities' names.
// Layer tars carry it as the PAX record SCHILY.xattr.security.capability.
func fileCaps(v string) []string {
	b := []byte(v)
	if len(b) < 12 {
		return nil
	}
	magic := binary.LittleEndian.Uint32(b)
	words := 1
	switch magic &^ 0x1 { // bit 0 is the effective flag
	case 0x01000000:
	case 0x02000000, 0x03000000:
		words = 2
		if len(b) < 20 {
			return nil
		}
	default:
		return nil
	}
	var out []string
	for w := range words {
		permitted := binary.LittleEndian.Uint32(b[4+8*w:])
		for bit := range 32 {
			if permitted&(1<<bit) == 0 {
				continue
			}
			n := 32*w + bit
			if n < len(capNames) {
				out = append(out, capNames[n])
			} else {
				out = append(out, "CAP_"+itoa(n))
			}
		}
	}
	return out
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

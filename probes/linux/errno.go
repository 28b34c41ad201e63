package linux

import (
	"strings"

	"golang.org/x/sys/unix"
)

// MaxErrno is systemd's ERRNO_MAX, the largest errno number it accepts.
const MaxErrno = 4095

// errnoNames are the E* names of glibc's <errno.h>, systemd's errno list,
// by number; the canonical name of a number comes first, the aliases
// systemd also accepts (EWOULDBLOCK, EDEADLOCK, ENOTSUP) after it. It is not
// unix.ErrnoName's list: that one calls 117 EFSCORRUPTED and 134 EFTYPE,
// which systemd refuses, and has no EUCLEAN or EOPNOTSUPP, which it takes.
func errnoNames() [134]struct {
	name  string
	errno unix.Errno
} {
	return [...]struct {
		name  string
		errno unix.Errno
	}{
		{"EPERM", unix.EPERM}, {"ENOENT", unix.ENOENT}, {"ESRCH", unix.ESRCH}, {"EINTR", unix.EINTR},
		{"EIO", unix.EIO}, {"ENXIO", unix.ENXIO}, {"E2BIG", unix.E2BIG}, {"ENOEXEC", unix.ENOEXEC},
		{"EBADF", unix.EBADF}, {"ECHILD", unix.ECHILD}, {"EAGAIN", unix.EAGAIN}, {"EWOULDBLOCK", unix.EWOULDBLOCK},
		{"ENOMEM", unix.ENOMEM}, {"EACCES", unix.EACCES}, {"EFAULT", unix.EFAULT}, {"ENOTBLK", unix.ENOTBLK},
		{"EBUSY", unix.EBUSY}, {"EEXIST", unix.EEXIST}, {"EXDEV", unix.EXDEV}, {"ENODEV", unix.ENODEV},
		{"ENOTDIR", unix.ENOTDIR}, {"EISDIR", unix.EISDIR}, {"EINVAL", unix.EINVAL}, {"ENFILE", unix.ENFILE},
		{"EMFILE", unix.EMFILE}, {"ENOTTY", unix.ENOTTY}, {"ETXTBSY", unix.ETXTBSY}, {"EFBIG", unix.EFBIG},
		{"ENOSPC", unix.ENOSPC}, {"ESPIPE", unix.ESPIPE}, {"EROFS", unix.EROFS}, {"EMLINK", unix.EMLINK},
		{"EPIPE", unix.EPIPE}, {"EDOM", unix.EDOM}, {"ERANGE", unix.ERANGE}, {"EDEADLK", unix.EDEADLK},
		{"EDEADLOCK", unix.EDEADLOCK}, {"ENAMETOOLONG", unix.ENAMETOOLONG}, {"ENOLCK", unix.ENOLCK}, {"ENOSYS", unix.ENOSYS},
		{"ENOTEMPTY", unix.ENOTEMPTY}, {"ELOOP", unix.ELOOP}, {"ENOMSG", unix.ENOMSG}, {"EIDRM", unix.EIDRM},
		{"ECHRNG", unix.ECHRNG}, {"EL2NSYNC", unix.EL2NSYNC}, {"EL3HLT", unix.EL3HLT}, {"EL3RST", unix.EL3RST},
		{"ELNRNG", unix.ELNRNG}, {"EUNATCH", unix.EUNATCH}, {"ENOCSI", unix.ENOCSI}, {"EL2HLT", unix.EL2HLT},
		{"EBADE", unix.EBADE}, {"EBADR", unix.EBADR}, {"EXFULL", unix.EXFULL}, {"ENOANO", unix.ENOANO},
		{"EBADRQC", unix.EBADRQC}, {"EBADSLT", unix.EBADSLT}, {"EBFONT", unix.EBFONT}, {"ENOSTR", unix.ENOSTR},
		{"ENODATA", unix.ENODATA}, {"ETIME", unix.ETIME}, {"ENOSR", unix.ENOSR}, {"ENONET", unix.ENONET},
		{"ENOPKG", unix.ENOPKG}, {"EREMOTE", unix.EREMOTE}, {"ENOLINK", unix.ENOLINK}, {"EADV", unix.EADV},
		{"ESRMNT", unix.ESRMNT}, {"ECOMM", unix.ECOMM}, {"EPROTO", unix.EPROTO}, {"EMULTIHOP", unix.EMULTIHOP},
		{"EDOTDOT", unix.EDOTDOT}, {"EBADMSG", unix.EBADMSG}, {"EOVERFLOW", unix.EOVERFLOW}, {"ENOTUNIQ", unix.ENOTUNIQ},
		{"EBADFD", unix.EBADFD}, {"EREMCHG", unix.EREMCHG}, {"ELIBACC", unix.ELIBACC}, {"ELIBBAD", unix.ELIBBAD},
		{"ELIBSCN", unix.ELIBSCN}, {"ELIBMAX", unix.ELIBMAX}, {"ELIBEXEC", unix.ELIBEXEC}, {"EILSEQ", unix.EILSEQ},
		{"ERESTART", unix.ERESTART}, {"ESTRPIPE", unix.ESTRPIPE}, {"EUSERS", unix.EUSERS}, {"ENOTSOCK", unix.ENOTSOCK},
		{"EDESTADDRREQ", unix.EDESTADDRREQ}, {"EMSGSIZE", unix.EMSGSIZE}, {"EPROTOTYPE", unix.EPROTOTYPE}, {"ENOPROTOOPT", unix.ENOPROTOOPT},
		{"EPROTONOSUPPORT", unix.EPROTONOSUPPORT}, {"ESOCKTNOSUPPORT", unix.ESOCKTNOSUPPORT}, {"EOPNOTSUPP", unix.EOPNOTSUPP}, {"ENOTSUP", unix.ENOTSUP},
		{"EPFNOSUPPORT", unix.EPFNOSUPPORT}, {"EAFNOSUPPORT", unix.EAFNOSUPPORT}, {"EADDRINUSE", unix.EADDRINUSE}, {"EADDRNOTAVAIL", unix.EADDRNOTAVAIL},
		{"ENETDOWN", unix.ENETDOWN}, {"ENETUNREACH", unix.ENETUNREACH}, {"ENETRESET", unix.ENETRESET}, {"ECONNABORTED", unix.ECONNABORTED},
		{"ECONNRESET", unix.ECONNRESET}, {"ENOBUFS", unix.ENOBUFS}, {"EISCONN", unix.EISCONN}, {"ENOTCONN", unix.ENOTCONN},
		{"ESHUTDOWN", unix.ESHUTDOWN}, {"ETOOMANYREFS", unix.ETOOMANYREFS}, {"ETIMEDOUT", unix.ETIMEDOUT}, {"ECONNREFUSED", unix.ECONNREFUSED},
		{"EHOSTDOWN", unix.EHOSTDOWN}, {"EHOSTUNREACH", unix.EHOSTUNREACH}, {"EALREADY", unix.EALREADY}, {"EINPROGRESS", unix.EINPROGRESS},
		{"ESTALE", unix.ESTALE}, {"EUCLEAN", unix.EUCLEAN}, {"ENOTNAM", unix.ENOTNAM}, {"ENAVAIL", unix.ENAVAIL},
		{"EISNAM", unix.EISNAM}, {"EREMOTEIO", unix.EREMOTEIO}, {"EDQUOT", unix.EDQUOT}, {"ENOMEDIUM", unix.ENOMEDIUM},
		{"EMEDIUMTYPE", unix.EMEDIUMTYPE}, {"ECANCELED", unix.ECANCELED}, {"ENOKEY", unix.ENOKEY}, {"EKEYEXPIRED", unix.EKEYEXPIRED},
		{"EKEYREVOKED", unix.EKEYREVOKED}, {"EKEYREJECTED", unix.EKEYREJECTED}, {"EOWNERDEAD", unix.EOWNERDEAD}, {"ENOTRECOVERABLE", unix.ENOTRECOVERABLE},
		{"ERFKILL", unix.ERFKILL}, {"EHWPOISON", unix.EHWPOISON},
	}
}

// ParseErrno reads an errno as systemd's parse_errno() does: a name from
// the list above in any case, or a number 0..MaxErrno in systemd's integer
// syntax. 0 passes here; SystemCallErrorNumber= refuses it on its own.
func ParseErrno(s string) (unix.Errno, bool) {
	for _, e := range errnoNames() {
		if strings.EqualFold(s, e.name) {
			return e.errno, true
		}
	}
	n, ok := parseInt(s)
	if !ok || n < 0 || n > MaxErrno {
		return 0, false
	}
	return unix.Errno(n), true
}

// ErrnoName is the canonical name of an errno number, as systemd's
// errno_to_name() gives it, or "" for a number without one.
func ErrnoName(e unix.Errno) string {
	for _, n := range errnoNames() {
		if n.errno == e {
			return n.name
		}
	}
	return ""
}

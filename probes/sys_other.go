//go:build !amd64

package probes

import "golang.org/x/sys/unix"

func compatGetpid() (int64, unix.Errno, bool) { return 0, 0, false }
func ioperm0() (unix.Errno, bool)             { return 0, false }
func modifyLDTRead() (unix.Errno, bool)       { return 0, false }

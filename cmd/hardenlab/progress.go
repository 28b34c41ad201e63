package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// progress prints what a long run is doing: plain timestamped lines when
// stderr is not a terminal (CI logs), a single rewritten line when it is.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	start time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			p.tty = true
		}
	}
	return p
}

func (p *progress) linef(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, a...)
	el := time.Since(p.start).Seconds()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%6.1fs %s", el, msg)
		return
	}
	fmt.Fprintf(p.w, "hardenlab: %6.1fs %s\n", el, msg)
}

// done ends a terminal's live line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// barWidth is the width of a progress bar's track.
const barWidth = 24

// bar draws done of total on a terminal ("[#####-------] 5/12"), and is
// just the count in a log.
func (p *progress) bar(done, total int) string {
	if !p.tty || total <= 0 {
		return fmt.Sprintf("[%d/%d]", done, total)
	}
	filled := barWidth * done / total
	return fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled), done, total)
}

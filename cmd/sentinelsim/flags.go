package main

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// durationFlag is a simulated duration given as "660000", "660000ms",
// "660s" or "11m".
type durationFlag struct {
	d   wire.Duration
	set bool
}

func (f *durationFlag) String() string {
	if !f.set {
		return ""
	}
	return strconv.FormatInt(int64(f.d), 10) + "ms"
}

func (f *durationFlag) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	f.d, f.set = d, true
	return nil
}

// atLeast1ms is a usage error when the flag was given a duration that is
// zero milliseconds (such as 0 or 500us): a run needs some simulated time.
func (f *durationFlag) atLeast1ms(verb string) error {
	if f.set && f.d < 1 {
		return usagef("%s: --duration %s: duration must be at least 1ms", verb, f)
	}
	return nil
}

// parseDuration reads a non-negative number of milliseconds or a Go duration.
func parseDuration(s string) (wire.Duration, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms < 0 {
			return 0, fmt.Errorf("duration %q is negative", s)
		}
		return wire.Duration(ms), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("duration %q: want milliseconds or a duration like 90s or 11m", s)
	}
	return wire.Duration(d.Milliseconds()), nil
}

// seedFlag is a run seed; when absent one is drawn from the operating
// system and printed, so the run can still be replayed.
type seedFlag struct {
	v   uint64
	set bool
}

func (f *seedFlag) String() string { return strconv.FormatUint(f.v, 10) }

func (f *seedFlag) Set(s string) error {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return fmt.Errorf("seed %q: want an unsigned 64-bit integer", s)
	}
	f.v, f.set = v, true
	return nil
}

// resolve returns the seed, drawing one if none was given. Drawn seeds stay
// below 2^53 so JSON readers that use doubles keep them exact.
func (f *seedFlag) resolve() uint64 {
	if !f.set {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
		f.v, f.set = binary.LittleEndian.Uint64(b[:])>>11, true
	}
	return f.v
}

// program is how to invoke this binary again: "go run ./cmd/sentinelsim"
// when it was started by go run, otherwise the name it was invoked by
// (os.Args[0], as given).
func program() string {
	exe, _ := os.Executable()
	return programFor(exe, os.Args[0])
}

// programFor is program for the executable's path and the name it was
// invoked by. go run builds into a temporary directory named go-build….
func programFor(exe, arg0 string) string {
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/sentinelsim"
	}
	if arg0 == "" {
		return "sentinelsim"
	}
	return arg0
}

package wire

import "unsafe"

// A text a process sends again and again (a sentinel's hello, a command's
// name) is usually the same string each time: the same bytes at the same
// address. A cache of what such a text says can then find it by its
// address, without hashing or comparing its bytes, as long as each slot
// keeps its string alive (so that no other text can take its address).

// TextSlot is the slot, among 1<<bits, of the text's address (Fibonacci
// hashing of the pointer).
func TextSlot(s string, bits uint) uint64 {
	return uint64(uintptr(unsafe.Pointer(unsafe.StringData(s)))) * 0x9E3779B97F4A7C15 >> (64 - bits)
}

// SameText reports whether a and b are the same string: the same length at
// the same address (and so, while a slot keeps one of them alive, the same
// bytes). Equal texts at different addresses are not the same.
func SameText(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

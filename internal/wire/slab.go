package wire

// Slab hands out values of type T carved from arrays of slabSize: one
// allocation for many small payloads a process sends (a reply, a push, a
// command) instead of one each. A value is never handed out twice, so a
// payload stays as it was sent for as long as anything (the network, the
// trace) holds it; an array lives until none of its values is referenced.
// The zero Slab is ready to use.
type Slab[T any] struct {
	free []T
}

const slabSize = 32

// New returns a pointer to a zero T.
func (s *Slab[T]) New() *T {
	if len(s.free) == 0 {
		s.free = make([]T, slabSize)
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

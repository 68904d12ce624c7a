package keyspace

import (
	"errors"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

var errBadReply = errors.New("malformed RESP2 reply")

// decodeReply parses exactly one RESP2 value filling b.
func decodeReply(b []byte) (wire.Value, error) {
	v, n, err := decodeValue(b, 0)
	if err != nil {
		return wire.Value{}, err
	}
	if n != len(b) {
		return wire.Value{}, errBadReply
	}
	return v, nil
}

// decodeValue parses one RESP2 value starting at b[i] and returns it with
// the offset just past it. Nested arrays are limited in depth.
func decodeValue(b []byte, i int) (wire.Value, int, error) {
	return decodeDepth(b, i, 0)
}

func decodeDepth(b []byte, i, depth int) (wire.Value, int, error) {
	if i >= len(b) || depth > 32 {
		return wire.Value{}, 0, errBadReply
	}
	typ := b[i]
	line, next, err := readLine(b, i+1)
	if err != nil {
		return wire.Value{}, 0, err
	}
	switch typ {
	case '+':
		if string(line) == "OK" {
			return wire.OK(), next, nil
		}
		return wire.Status(string(line)), next, nil
	case '-':
		return wire.Error(string(line)), next, nil
	case ':':
		n, err := parseInt(line)
		if err != nil {
			return wire.Value{}, 0, err
		}
		return wire.Int(n), next, nil
	case '$':
		n, err := parseInt(line)
		if err != nil {
			return wire.Value{}, 0, err
		}
		if n < 0 {
			return wire.Nil(), next, nil
		}
		end := next + int(n)
		if n > int64(len(b)) || end+2 > len(b) || b[end] != '\r' || b[end+1] != '\n' {
			return wire.Value{}, 0, errBadReply
		}
		return wire.Bulk(string(b[next:end])), end + 2, nil
	case '*':
		n, err := parseInt(line)
		if err != nil {
			return wire.Value{}, 0, err
		}
		if n < 0 {
			return wire.Nil(), next, nil
		}
		if n > int64(len(b)-next) { // every element takes at least 3 bytes
			return wire.Value{}, 0, errBadReply
		}
		elems := make([]wire.Value, n)
		for j := range elems {
			elems[j], next, err = decodeDepth(b, next, depth+1)
			if err != nil {
				return wire.Value{}, 0, err
			}
		}
		return wire.Value{Kind: wire.KindArray, Array: elems}, next, nil
	}
	return wire.Value{}, 0, errBadReply
}

// readLine returns the bytes from b[i] up to the next CRLF and the offset
// after it.
func readLine(b []byte, i int) ([]byte, int, error) {
	for j := i; j+1 < len(b); j++ {
		if b[j] == '\r' && b[j+1] == '\n' {
			return b[i:j], j + 2, nil
		}
	}
	return nil, 0, errBadReply
}

// parseInt parses a decimal int64 without allocating.
func parseInt(s []byte) (int64, error) {
	if len(s) == 0 || len(s) > 20 {
		return 0, errBadReply
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if len(s) == 0 {
			return 0, errBadReply
		}
	}
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errBadReply
		}
		d := uint64(c - '0')
		if n > (1<<63-d)/10 {
			return 0, errBadReply
		}
		n = n*10 + d
	}
	if neg {
		return -int64(n), nil
	}
	if n > 1<<63-1 {
		return 0, errBadReply
	}
	return int64(n), nil
}

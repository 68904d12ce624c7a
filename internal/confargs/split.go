package confargs

import (
	"strconv"
	"strings"
)

// ConfigReadLen is CONFIG_READ_LEN: Redis reads its config file with
// fgets(buf, CONFIG_READ_LEN+1, fp) and appends each chunk with sdscat,
// which stops at a NUL byte.
const ConfigReadLen = 1024

// LoadText returns the config text as Redis's loader sees it: the file read
// in fgets chunks (up to a newline or 1024 bytes), each chunk cut at its
// first NUL byte. Without NUL bytes this is the text unchanged.
func LoadText(text []byte) string {
	var b strings.Builder
	b.Grow(len(text))
	for len(text) > 0 {
		n := len(text)
		if n > ConfigReadLen {
			n = ConfigReadLen
		}
		for i := 0; i < n; i++ {
			if text[i] == '\n' {
				n = i + 1
				break
			}
		}
		chunk := text[:n]
		for i, c := range chunk {
			if c == 0 {
				chunk = chunk[:i]
				break
			}
		}
		b.Write(chunk)
		text = text[n:]
	}
	return b.String()
}

// TrimLine is sdstrim(line, " \t\r\n"), which both the loader and the
// rewriter apply to every line.
func TrimLine(s string) string {
	return strings.Trim(s, " \t\r\n")
}

// SplitArgs splits a configuration line into arguments exactly as Redis's
// sdssplitargs does. Arguments are separated by spaces; "double quotes"
// take the escapes \n \r \t \b \a \xHH and \<any>, 'single quotes' take
// only \'. A quote may open in the middle of an argument (a"b c" is "ab c"),
// but a closing quote must be followed by a space or the end of the line.
// A NUL byte ends the line, as in C. ok is false for unbalanced quotes,
// which Redis reports as "Unbalanced quotes in configuration line".
func SplitArgs(line string) (args []string, ok bool) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	p := 0
	at := func(i int) byte { // C string access: NUL past the end
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	args = []string{}
	for {
		for p < len(line) && IsCSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && IsHex(at(p+2)) && IsHex(at(p+3)):
					cur = append(cur, Unhex(at(p+2))<<4|Unhex(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					e := line[p]
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					cur = append(cur, e)
				case c == '"':
					if n := at(p + 1); n != 0 && !IsCSpace(n) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if n := at(p + 1); n != 0 && !IsCSpace(n) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// Unhex is the value of the hexadecimal digit c.
func Unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// Quote returns s as Redis's sdscatrepr writes it: in double quotes, with
// \\ \" \n \r \t \a \b escaped and other bytes outside 0x20-0x7e as \xHH.
// SplitArgs reads it back as s.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c <= 0x7e {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				if c < 0x10 {
					b.WriteByte('0')
				}
				b.WriteString(strconv.FormatUint(uint64(c), 16))
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

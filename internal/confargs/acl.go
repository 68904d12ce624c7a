package confargs

import (
	"slices"
	"strings"
)

// ACLRulesError checks the syntax of the rules of a user directive, the
// part of ACLSetUser that does not depend on the command table, and returns
// Redis's error. Redis 7.0.15 names the argument two places before the bad
// one ("Error in user declaration 'alice'" for "user alice on bogus").
func ACLRulesError(args []string) string {
	ops := []string{"on", "off", "skip-sanitize-payload", "sanitize-payload", "nopass", "resetpass",
		"allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands", "nocommands", "reset", "clearselectors"}
	for i := 2; i < len(args); i++ {
		r := args[i]
		msg := ""
		switch {
		case r == "":
			msg = "Syntax error"
		case r[0] == '#' || r[0] == '!':
			h := r[1:]
			ok := len(h) == 64
			for j := 0; ok && j < len(h); j++ {
				ok = h[j] >= '0' && h[j] <= '9' || h[j] >= 'a' && h[j] <= 'f'
			}
			if !ok {
				msg = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
			}
		case strings.ContainsRune("><~%&+-(", rune(r[0])) || r[len(r)-1] == ')':
		case slices.ContainsFunc(ops, func(o string) bool { return strings.EqualFold(o, r) }):
		default:
			msg = "Syntax error"
		}
		if msg != "" {
			return "Error in user declaration '" + args[i-2] + "': " + msg
		}
	}
	return ""
}

// ASCIILower is sdstolower: ASCII letters only.
func ASCIILower(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

package confargs

import "github.com/sentinelsim/sentinelsim/internal/acl"

// ACLRulesError checks the syntax of the rules of a user directive, the
// part of ACLSetUser that does not depend on the command table
// (acl.SyntaxError), and returns
// Redis's error. Redis 7.0.15 names the argument two places before the bad
// one ("Error in user declaration 'alice'" for "user alice on bogus").
func ACLRulesError(args []string) string {
	for i := 2; i < len(args); i++ {
		if msg := acl.SyntaxError(args[i]); msg != "" {
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

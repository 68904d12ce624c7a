package conf

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/sentinelsim/sentinelsim/internal/confargs"
)

// The standard directives and their parsing live in internal/confargs,
// shared with model/redisconf; these names keep this package's code short.
type stdConfig = confargs.Directive

const (
	kBool    = confargs.KindBool
	kString  = confargs.KindString
	kSpecial = confargs.KindSpecial

	spBind        = confargs.SpecialBind
	spDir         = confargs.SpecialDir
	spSave        = confargs.SpecialSave
	spCOBL        = confargs.SpecialCOBL
	spOOMValues   = confargs.SpecialOOMValues
	spNotify      = confargs.SpecialNotify
	spReplicaOf   = confargs.SpecialReplicaOf
	spPercentiles = confargs.SpecialPercentiles
)

var (
	stdConfigs        = confargs.Directives
	configAliases     = confargs.Aliases
	deprecatedConfigs = confargs.Deprecated
	coblClasses       = confargs.COBLClasses
)

func lookupStd(name string) *stdConfig   { return confargs.Lookup(name) }
func loadText(text []byte) string        { return confargs.LoadText(text) }
func trimLine(s string) string           { return confargs.TrimLine(s) }
func atoi(s string) int                  { return confargs.Atoi(s) }
func strtoull(s string) uint64           { return confargs.Strtoull(s) }
func string2ll(s string) (int64, bool)   { return confargs.String2ll(s) }
func yesnotoi(s string) int              { return confargs.Yesnotoi(s) }
func asciiLower(s string) string         { return confargs.ASCIILower(s) }
func aclRulesError(args []string) string { return confargs.ACLRulesError(args) }

// SplitArgs splits a configuration line into arguments exactly as Redis's
// sdssplitargs does (see confargs.SplitArgs).
func SplitArgs(line string) (args []string, ok bool) { return confargs.SplitArgs(line) }

// Quote returns s as Redis's sdscatrepr writes it (see confargs.Quote).
func Quote(s string) string { return confargs.Quote(s) }

// setStd applies one standard directive to c, validating it as Redis does.
// args excludes the directive name. It returns Redis's error text or "".
func (c *Config) setStd(sc *stdConfig, args []string) string {
	v, msg := confargs.Check(sc, args)
	if msg != "" {
		return msg
	}
	switch sc.Name {
	case "port":
		c.Port = int(v.Num)
	case "requirepass":
		c.RequirePass = v.Args[0]
	case "bind":
		c.Bind = append([]string{}, v.Args...)
	case "dir":
		c.Dir = v.Args[0]
	}
	for _, s := range v.Settings {
		if s.Unset {
			delete(c.Settings, s.Key)
		} else {
			c.setSetting(s.Key, s.Text)
		}
	}
	return ""
}

func (c *Config) setSetting(name, value string) {
	if c.Settings == nil {
		c.Settings = map[string]string{}
	}
	c.Settings[name] = value
}

// sentinelCommands are the commands a sentinel has, which is what
// rename-command may rename in a sentinel config (lowercase).
var sentinelCommands = []string{"acl", "auth", "client", "command", "hello", "info", "ping", "psubscribe",
	"publish", "punsubscribe", "role", "sentinel", "shutdown", "subscribe", "unsubscribe"}

// defaultUserLine is the ACL line Redis writes for the default user: no
// password, or the SHA-256 of requirepass.
func defaultUserLine(requirepass string) string {
	if requirepass == "" {
		return "user default on nopass ~* &* +@all"
	}
	sum := sha256.Sum256([]byte(requirepass))
	return "user default on #" + hex.EncodeToString(sum[:]) + " ~* &* +@all"
}

package conf

import "sort"

// Users returns the arguments of the user directives after "user" (the
// name, then ACL SETUSER modifiers), sorted by user name. The default user
// Redis would write anyway is not among them.
func (c *Config) Users() [][]string {
	names := make([]string, 0, len(c.users))
	for n := range c.users {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([][]string, 0, len(names))
	for _, n := range names {
		args, _ := SplitArgs(c.users[n]) // parsed once already
		out = append(out, args[1:])
	}
	return out
}

// SetUsers replaces the users with the lines ACL LIST gives ("user name
// modifiers…"), which a rewrite writes as they are (rewriteConfigUserOption
// writes ACLDescribeUser's lines). The default user is left out when its
// line is the one requirepass gives, as after parsing.
func (c *Config) SetUsers(lines []string) {
	c.users = nil
	for _, l := range lines {
		args, ok := SplitArgs(l)
		if !ok || len(args) < 2 || args[0] != "user" {
			continue
		}
		if args[1] == "default" && l == defaultUserLine(c.RequirePass) {
			continue
		}
		if c.users == nil {
			c.users = map[string]string{}
		}
		c.users[args[1]] = l
	}
}

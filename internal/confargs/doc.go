// Package confargs reads configuration lines the way Redis 7.0.15's config
// loader (config.c) does, for both sentinel.conf (sentinel/conf) and a data
// node's redis.conf (model/redisconf): the file chunking and line trimming,
// sdssplitargs, the C and Redis number parsers (strtol, atoi, strtoull,
// string2ll, memtoull, ...) with their leniency, and the table of the
// standard directives with their types, bounds, defaults and error texts
// (table.go, generated from the binary). It works on text only.
package confargs

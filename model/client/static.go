package client

import (
	"errors"
	"fmt"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// StaticConfig configures a StaticClient.
type StaticConfig struct {
	Options
	// Addr is the one address the client talks to: a data node, or a proxy
	// such as HAProxy. Required.
	Addr wire.Addr
}

// StaticClient is an application client bound to one address, like a
// client configured with a fixed host:port (or pointed at a proxy). It
// reconnects after a timeout, a closed connection or a READONLY, LOADING
// or MASTERDOWN error, always to the same address: it never follows a
// failover by itself.
type StaticClient struct {
	core
	fixed fixedAddr
}

// NewStaticClient checks cfg and returns a client ready to boot.
func NewStaticClient(cfg StaticConfig) (*StaticClient, error) {
	opt, err := cfg.Options.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if cfg.Addr.IsZero() {
		return nil, errors.New("client: a static client needs an address")
	}
	c := &StaticClient{fixed: fixedAddr{addr: cfg.Addr}}
	c.init(opt, &c.fixed)
	return c, nil
}

// fixedAddr is the StaticClient's locator: always the same address.
type fixedAddr struct{ addr wire.Addr }

var _ locator = (*fixedAddr)(nil)

func (f *fixedAddr) locate(c *core, env wire.Env)                { c.located(env, f.addr) }
func (f *fixedAddr) receive(*core, wire.Env, *wire.Message) bool { return false }
func (f *fixedAddr) fire(*core, wire.Env, uint64) bool           { return false }
func (f *fixedAddr) checkRole() bool                             { return false }

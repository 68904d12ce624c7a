package sentinel

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// A hello read from the cache is the hello parsed afresh, the own-hello
// test follows the run id, and the cache stays bounded however many
// different texts arrive.
func TestReadHelloCachesWithoutChangingTheParse(t *testing.T) {
	const me = "1111111111111111111111111111111111111111"
	const peer = "2222222222222222222222222222222222222222"
	s := &Sentinel{myID: me}
	hello := "10.0.0.2,26379," + peer + ",7,mymaster,10.0.0.1,6379,3"
	want := parsedHello{ok: true, addr: wire.Addr{Host: "10.0.0.2", Port: 26379}, runID: peer, epoch: 7,
		master: "mymaster", to: wire.Addr{Host: "10.0.0.1", Port: 6379}, configEpoch: 3}
	first := s.readHello(hello)
	assert.Equal(t, want, *first)
	// The same string again is found by its address, the same text in
	// another string (another message) by the text.
	assert.Same(t, first, s.readHello(hello))
	again := strings.Clone(hello)
	assert.Same(t, first, s.readHello(again))
	assert.Len(t, s.hellos, 1)

	for _, c := range []struct {
		text string
		want parsedHello
	}{
		{"a,1,b,2,c,d,3", parsedHello{}},     // seven fields
		{"a,1,b,2,c,d,3,4,5", parsedHello{}}, // nine
		{"h,x,r,-1,m,H,p,q", parsedHello{ok: true, addr: wire.Addr{Host: "h"}, runID: "r", master: "m", to: wire.Addr{Host: "H"}}},
		{"h,1," + me + ",0,m,H,2,0", parsedHello{ok: true, own: true, addr: wire.Addr{Host: "h", Port: 1}, runID: me, master: "m", to: wire.Addr{Host: "H", Port: 2}}},
	} {
		assert.Equal(t, c.want, *s.readHello(c.text), c.text)
		assert.Equal(t, c.want, *s.readHello(c.text), "cached by address: "+c.text)
		assert.Equal(t, c.want, *s.readHello(strings.Clone(c.text)), "cached by text: "+c.text)
	}

	// A new run id (a restart with another identity) is not confused by
	// the cache: boot clears it; here the test does.
	s.myID, s.hellos, s.helloSeen = peer, nil, nil
	assert.True(t, s.readHello(hello).own)

	// Many texts at once: slots are shared (by address), every text still
	// reads as itself, the first time and again.
	texts := make([]string, 3*helloCacheSize)
	for i := range texts {
		texts[i] = "10.0.0.2,26379," + peer + "," + strconv.Itoa(i) + ",m,10.0.0.1,6379,0"
		require.Equal(t, uint64(i), s.readHello(texts[i]).epoch)
		require.LessOrEqual(t, len(s.hellos), helloCacheSize)
	}
	for i, text := range texts {
		require.Equal(t, uint64(i), s.readHello(text).epoch)
	}
}

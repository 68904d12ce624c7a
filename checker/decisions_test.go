package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// The election register is violated by two leaders of one epoch that knew
// each other, not by the same leader twice nor by leaders that did not
// know each other; the promotion register by an older epoch promoted after
// a newer one.
func TestRegisters(t *testing.T) {
	start := []Observed{at(0, "s1", facts.Start{RunID: "a"}), at(0, "s2", facts.Start{RunID: "b"})}
	el := func(t int64, node string, known ...string) Observed {
		return at(wireTime(t), node, facts.Elected{Master: "m", Epoch: 1, Votes: 2, Voters: 2, Quorum: 1, Known: known})
	}
	r := CheckRegisters(append(append([]Observed{}, start...), el(10, "s1", "b"), el(20, "s1", "b")))
	assert.Equal(t, OK, r.Elections)
	r = CheckRegisters(append(append([]Observed{}, start...), el(10, "s1", "b"), el(20, "s2", "a")))
	assert.Equal(t, Violated, r.Elections)
	assert.Equal(t, "m epoch 1", r.FirstElection)
	r = CheckRegisters(append(append([]Observed{}, start...), el(10, "s1"), el(20, "s2")))
	assert.Equal(t, OK, r.Elections, "leaders that did not know each other")

	prom := func(t int64, epoch uint64) Observed {
		return at(wireTime(t), "s1", facts.ConfigEpoch{Master: "m", To: epoch, Addr: r2, Source: "promotion"})
	}
	assert.Equal(t, OK, CheckRegisters([]Observed{prom(10, 1), prom(20, 2)}).Promotions)
	r = CheckRegisters([]Observed{prom(10, 2), prom(20, 1)})
	assert.Equal(t, Violated, r.Promotions)
	assert.Equal(t, "m", r.FirstPromotion)
}

func wireTime(ms int64) wire.Time { return wire.Time(ms) }

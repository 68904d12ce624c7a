package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// Streams derives independent pseudo-random streams from one root seed.
//
// Each stream is named, and its state depends only on the root seed and the
// name, so adding a consumer (a new node, a new link, a new fault) never
// changes the numbers any other consumer draws. The derivation hashes the seed
// and the name with SHA-256 and seeds a PCG generator with the result.
type Streams struct {
	seed uint64
}

// NewStreams returns the stream family of a root seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the root seed.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns a new generator for the named stream. Calling it twice with
// the same name returns two generators that produce the same sequence.
func (s Streams) Stream(name string) *rand.Rand { return rand.New(s.pcg(name)) }

// pcg is the PCG generator behind the named stream.
func (s Streams) pcg(name string) *rand.PCG {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], s.seed)
	h := sha256.New()
	h.Write(buf[:])
	h.Write([]byte(name))
	sum := h.Sum(nil)
	return rand.NewPCG(binary.BigEndian.Uint64(sum[0:8]), binary.BigEndian.Uint64(sum[8:16]))
}

// linkRand is a link's stream (Streams.Stream): the numbers a *rand.Rand
// over the same generator draws, by math/rand/v2's own reduction
// (Rand.uint64n, 64-bit platforms), with the generator called directly
// instead of through rand.Source, since a link draws for every message.
// The zero linkRand has no generator: only certain outcomes can be drawn.
type linkRand struct{ pcg *rand.PCG }

// ok reports whether r has a generator.
func (r linkRand) ok() bool { return r.pcg != nil }

// uint64n is rand.Rand's uint64n: uniform in [0,n) by Lemire's
// multiply-and-reject, without a division unless a rejection is possible.
func (r linkRand) uint64n(n uint64) uint64 {
	if n&(n-1) == 0 { // n is a power of two, can mask
		return r.pcg.Uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(r.pcg.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.pcg.Uint64(), n)
		}
	}
	return hi
}

// int64N is rand.Rand's Int64N.
func (r linkRand) int64N(n int64) int64 {
	if n <= 0 {
		panic("invalid argument to Int64N")
	}
	return int64(r.uint64n(uint64(n)))
}

// draw is Ratio.Draw on r. (Small enough to inline: a link's usual
// knobs are zero, asked about three times a message.)
func (r linkRand) draw(p Ratio) bool {
	return p.Num != 0 && r.drawSome(p)
}

// drawSome is draw for a ratio that is not zero.
//
//go:noinline
func (r linkRand) drawSome(p Ratio) bool {
	if p.Num >= p.Den {
		return true
	}
	return uint32(r.uint64n(uint64(p.Den))) < p.Num // Rand.Uint32N (Den > Num > 0)
}

// Ratio is a probability as an integer fraction Num/Den. Integer ratios keep
// decisions exact: no floating point enters the simulated world. The zero
// Ratio is "never".
type Ratio struct {
	Num uint32
	Den uint32
}

// Never and Always are the two certain ratios.
var (
	Never  = Ratio{0, 1}
	Always = Ratio{1, 1}
)

// Percent returns the ratio p/100.
func Percent(p uint32) Ratio { return Ratio{p, 100} }

// Validate reports whether r is a probability: Den > 0 and Num <= Den, or
// the zero value.
func (r Ratio) Validate() error {
	if r == (Ratio{}) {
		return nil
	}
	if r.Den == 0 || r.Num > r.Den {
		return fmt.Errorf("ratio %d/%d is not a probability", r.Num, r.Den)
	}
	return nil
}

// Zero reports whether r can never happen.
func (r Ratio) Zero() bool { return r.Num == 0 }

// Draw returns true with probability r. It consumes one number from rng unless
// the outcome is certain, so an unused knob does not disturb the stream.
func (r Ratio) Draw(rng *rand.Rand) bool {
	if r.Num == 0 {
		return false
	}
	if r.Num >= r.Den {
		return true
	}
	return rng.Uint32N(r.Den) < r.Num
}

// String formats r as "num/den".
func (r Ratio) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

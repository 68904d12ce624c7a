package sim

// HoldTrace makes every trace keep its lines unformatted until Flush or
// Hash (see holdTrace).
func HoldTrace(on bool) { holdTrace = on }

// ImpairedCount returns the world's count of impaired links and that count
// made afresh from the links (World.change keeps the first).
func (w *World) ImpairedCount() (kept, counted int) {
	for i := range w.links {
		if w.links[i].impaired() {
			counted++
		}
	}
	return w.impaired, counted
}

package sim

// HoldTrace makes every trace keep its lines unformatted until Flush or
// Hash (see holdTrace).
func HoldTrace(on bool) { holdTrace = on }

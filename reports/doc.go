// Package reports writes what people and CI read about a run: the decision
// trace (the events that matter, as a compact text timeline with fixed
// columns, the form golden files keep), and — to come (issue 7) — JSON,
// Markdown, JUnit and a self-contained HTML report.
//
// It reads the canonical trace (sim.Trace) as text, so a saved run can be
// reported on without simulating it again.
package reports

// Package reports writes what people and CI read about a run: JSON, Markdown,
// JUnit, a compact text timeline and a self-contained HTML report.
//
// Status: not written yet (issue 7).
package reports

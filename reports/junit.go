package reports

import (
	"encoding/xml"
	"io"
	"strconv"
)

// Case is one test case of a JUnit report: a seed of a sweep, a scenario of
// a suite.
type Case struct {
	Name    string
	Class   string  // the scenario
	Seconds float64 // wall time
	// Failure, when not empty, says why the case failed (a verdict that
	// is not the expected one); Detail is the longer text (the replay
	// command, the violation).
	Failure string
	Detail  string
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name    string        `xml:"name,attr"`
	Class   string        `xml:"classname,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes cases as a JUnit XML report with one test suite (the
// format CI systems show as test results). encoding/xml escapes every text.
func WriteJUnit(w io.Writer, suite string, cases []Case) error {
	s := junitSuite{Name: suite, Tests: len(cases)}
	total := 0.0
	for _, c := range cases {
		jc := junitCase{Name: c.Name, Class: c.Class, Time: strconv.FormatFloat(c.Seconds, 'f', 3, 64)}
		if c.Failure != "" {
			s.Failures++
			jc.Failure = &junitFailure{Message: c.Failure, Type: "verdict", Text: c.Detail}
		}
		total += c.Seconds
		s.Cases = append(s.Cases, jc)
	}
	s.Time = strconv.FormatFloat(total, 'f', 3, 64)
	doc := junitSuites{Tests: s.Tests, Failures: s.Failures, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Command template-oracle renders query templates with Go's text/template exactly the way Flagger's
// observers.RenderQuery does (functions from MetricTemplateModel.TemplateFunctions, nil data,
// missingkey=error) and writes the results as JSON. Bunting's GoTemplateOracleTest compares its own engine
// against this output.
//
// Regenerate (from src/gotemplate):
//
//	go run src/test/go/template-oracle/main.go < src/test/resources/dev/bunting/gotemplate/oracle-cases.json \
//	  > src/test/resources/dev/bunting/gotemplate/oracle-expected.json
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"text/template"
)

type result struct {
	Template string `json:"template"`
	Output   *string `json:"output,omitempty"`
	Error    string `json:"error,omitempty"`
	Line     int    `json:"line,omitempty"`
	Phase    string `json:"phase,omitempty"`
}

var (
	execErr  = regexp.MustCompile(`(?s)^template: t:(\d+):\d+: executing "t" at <.*?>: (.*)$`)
	parseErr = regexp.MustCompile(`(?s)^template: t:(\d+): (.*)$`)
	fileLine = regexp.MustCompile(`\bt:(\d+)`)
)

func main() {
	var cases []string
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		"name":      func() string { return "podinfo" },
		"namespace": func() string { return "test" },
		"target":    func() string { return "podinfo" },
		"service":   func() string { return "podinfo-svc" },
		"ingress":   func() string { return "podinfo-ing" },
		"route":     func() string { return "podinfo-route" },
		"interval":  func() string { return "1m" },
		"variables": func() map[string]string {
			return map[string]string{"direction": "inbound", "x": "1", "empty": "", "quote": `a"b`}
		},
	}
	results := make([]result, 0, len(cases))
	for _, c := range cases {
		r := result{Template: c}
		t, err := template.New("t").Funcs(funcs).Option("missingkey=error").Parse(c)
		if err != nil {
			r.Phase = "parse"
			r.Line, r.Error = split(err.Error())
		} else {
			var b bytes.Buffer
			if err := t.Execute(&b, nil); err != nil {
				r.Phase = "execute"
				r.Line, r.Error = split(err.Error())
			} else {
				out := b.String()
				r.Output = &out
			}
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		panic(err)
	}
}

func split(msg string) (int, string) {
	for _, re := range []*regexp.Regexp{execErr, parseErr} {
		if m := re.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return line, fileLine.ReplaceAllString(m[2], "line $1")
		}
	}
	return 0, msg
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricJSON is one metric family of `ventanillactl --json metrics`.
type metricJSON struct {
	Name    string       `json:"name"`
	Type    string       `json:"type"`
	Help    string       `json:"help,omitempty"`
	Samples []sampleJSON `json:"samples"`
}

// sampleJSON is one series: a value (counter, gauge, untyped) or a
// histogram's or summary's count, sum and buckets or quantiles.
type sampleJSON struct {
	Labels    map[string]string  `json:"labels,omitempty"`
	Value     *float64           `json:"value,omitempty"`
	Count     *uint64            `json:"count,omitempty"`
	Sum       *float64           `json:"sum,omitempty"`
	Buckets   map[string]uint64  `json:"buckets,omitempty"`
	Quantiles map[string]float64 `json:"quantiles,omitempty"`
}

// writeMetricsJSON turns the daemon's Prometheus text into a JSON array of
// families sorted by name, parsed with Prometheus's own text parser.
func writeMetricsJSON(w io.Writer, text []byte) error {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	out := make([]metricJSON, 0, len(fams))
	for _, f := range fams {
		m := metricJSON{Name: f.GetName(), Type: f.GetType().String(), Help: f.GetHelp()}
		for _, s := range f.GetMetric() {
			m.Samples = append(m.Samples, sampleOf(s))
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func sampleOf(s *dto.Metric) sampleJSON {
	var j sampleJSON
	if len(s.GetLabel()) > 0 {
		j.Labels = map[string]string{}
		for _, l := range s.GetLabel() {
			j.Labels[l.GetName()] = l.GetValue()
		}
	}
	switch {
	case s.Counter != nil:
		j.Value = ptr(s.Counter.GetValue())
	case s.Gauge != nil:
		j.Value = ptr(s.Gauge.GetValue())
	case s.Untyped != nil:
		j.Value = ptr(s.Untyped.GetValue())
	case s.Histogram != nil:
		j.Count, j.Sum = ptr(s.Histogram.GetSampleCount()), ptr(s.Histogram.GetSampleSum())
		j.Buckets = map[string]uint64{}
		for _, b := range s.Histogram.GetBucket() {
			j.Buckets[fmt.Sprint(b.GetUpperBound())] = b.GetCumulativeCount()
		}
	case s.Summary != nil:
		j.Count, j.Sum = ptr(s.Summary.GetSampleCount()), ptr(s.Summary.GetSampleSum())
		j.Quantiles = map[string]float64{}
		for _, q := range s.Summary.GetQuantile() {
			j.Quantiles[fmt.Sprint(q.GetQuantile())] = q.GetValue()
		}
	}
	return j
}

func ptr[T any](v T) *T { return &v }

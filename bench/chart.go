package main

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// runnerColors are the bar colours, by runner.
var runnerColors = map[string]color.RGBA{
	RunDBT:    {R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	RunInterp: {R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	RunTCG:    {R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	RunKVM:    {R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// chartData are the ratios to native by runner (bars) and workload
// (groups); NaN where a runner has no figure.
type chartData struct {
	workloads []string
	runners   []string
	ratios    map[string][]float64
}

func (r *Report) chartData(cpu bool) chartData {
	sum := summarize(r.Samples)
	if cpu {
		sum = summarizeCPU(r.Samples)
	}
	var d chartData
	d.ratios = map[string][]float64{}
	for _, wl := range r.Workloads {
		if native := sum[[2]string{RunNative, wl.Name}]; native != nil && native.N > 0 {
			d.workloads = append(d.workloads, wl.Name)
		}
	}
	for _, rn := range r.available() {
		if rn == RunNative {
			continue
		}
		var vs []float64
		any := false
		for _, wl := range d.workloads {
			v := ratio(sum[[2]string{rn, wl}], sum[[2]string{RunNative, wl}])
			any = any || !math.IsNaN(v)
			vs = append(vs, v)
		}
		if any {
			d.runners = append(d.runners, rn)
			d.ratios[rn] = vs
		}
	}
	return d
}

// Chart draws the ratios to native as grouped bars on a log scale and
// saves them to path (the format follows the extension: .png, .svg).
// Bars are log10 of the ratio on a linear axis, so they start at 1x.
// With cpu, the ratios are of host CPU time instead of wall-clock time.
func (r *Report) Chart(path string, cpu bool) error {
	d := r.chartData(cpu)
	if len(d.workloads) == 0 || len(d.runners) == 0 {
		return fmt.Errorf("no ratios to native to draw")
	}
	p := plot.New()
	what := "wall-clock"
	if cpu {
		what = "host CPU"
	}
	p.Title.Text = fmt.Sprintf("bt86 benchmark %s: median %s time / native's", r.Date, what)
	p.Y.Label.Text = "ratio to native (log scale)"
	lo, hi := 0.0, 1.0
	w := vg.Points(12)
	n := float64(len(d.runners))
	for i, rn := range d.runners {
		vals := make(plotter.Values, len(d.workloads))
		for j, v := range d.ratios[rn] {
			if !math.IsNaN(v) && v > 0 {
				vals[j] = math.Log10(v)
				lo, hi = math.Min(lo, vals[j]), math.Max(hi, vals[j])
			}
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		bars.Offset = vg.Length(float64(i)-(n-1)/2) * w
		bars.LineStyle.Width = 0
		bars.Color = runnerColors[rn]
		p.Add(bars)
		p.Legend.Add(rn, bars)
	}
	p.Y.Min, p.Y.Max = math.Floor(lo), math.Ceil(hi+0.3)
	p.Y.Tick.Marker = log10Ticks{}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(d.workloads...)
	width := vg.Length(max(6, 1.2*float64(len(d.workloads)))) * vg.Inch
	return p.Save(width, 4.5*vg.Inch, path)
}

// log10Ticks labels a log10 axis with the ratios: 1x, 2x, 5x, 10x, ...
type log10Ticks struct{}

func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(min); e <= max; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := e + math.Log10(m)
			if v < min || v > max {
				continue
			}
			label := ""
			if m != 2 {
				label = strconv.FormatFloat(math.Pow(10, e)*m, 'g', -1, 64) + "x"
			}
			ts = append(ts, plot.Tick{Value: v, Label: label})
		}
	}
	return ts
}

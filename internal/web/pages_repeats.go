package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"pingan/internal/catalog"
	"pingan/internal/dedup"
	"pingan/internal/i18n"
)

// repeats answers the intake page as the operator types: the open cases
// the report may repeat, with their scores and reasons.
func (w *Web) repeats(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	q := r.URL.Query()
	dq := dedup.Query{Text: strings.TrimSpace(q.Get("text") + " " + q.Get("address")), Address: q.Get("address"), DivisionCode: q.Get("division_code")}
	dq.CategoryID, _ = strconv.ParseInt(q.Get("category_id"), 10, 64)
	if lat, err := strconv.ParseFloat(q.Get("lat"), 64); err == nil {
		if lon, err := strconv.ParseFloat(q.Get("lon"), 64); err == nil {
			dq.Lat, dq.Lon = &lat, &lon
		}
	}
	if len([]rune(dq.Text)) > 2000 {
		dq.Text = string([]rune(dq.Text)[:2000])
	}
	cs, err := w.app.Repeats.Find(r.Context(), v.Actor, dq, v.Lang)
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(rw).Encode(map[string]any{"candidates": dedup.In(cs, w.loc), "add": v.T("repeats.add"), "score": v.T("repeats.score"),
		"sep": i18n.Comma.Format(v.Lang)}) // between the reasons
}

type suggestion struct {
	Label      string  `json:"label"`          // a nature's code, or a category's path label
	Name       string  `json:"name,omitempty"` // the nature's or the category's name, in the page's language
	Path       string  `json:"path,omitempty"` // the category's path in the page's language
	Confidence float64 `json:"confidence"`
	CategoryID int64   `json:"category_id,omitempty"` // the deepest catalogue category the label names
}

// minSuggestion is the least confidence a suggestion is shown with (the
// page rounds to whole percents).
const minSuggestion = 0.005

// suggest answers the intake page as the operator types: the categories
// the classifier suggests, best first, and where routing would send the
// report (see previewRoute).
func (w *Web) suggest(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	out, natures := []suggestion{}, []suggestion{}
	subject, body := r.URL.Query().Get("title"), r.URL.Query().Get("body")
	if m := w.app.Classifier.Get(); m != nil && len([]rune(subject+body)) >= 4 {
		sg := m.Suggest(subject, body)
		// Two natures and three categories at most, none the page would
		// show as 0%.
		for i, s := range sg.Nature {
			if i == 2 || s.Confidence < minSuggestion {
				break
			}
			natures = append(natures, suggestion{Label: s.Label, Name: v.NatureName(s.Label), Confidence: s.Confidence})
		}
		for i, s := range sg.Category {
			if i == 3 || s.Confidence < minSuggestion {
				break
			}
			x := suggestion{Label: s.Label, Confidence: s.Confidence}
			if c, ok := catalog.MatchLabel(v.names().CatList, s.Label); ok {
				x.CategoryID, x.Name, x.Path = c.ID, c.Label(v.Lang), v.names().CategoryPath(c.ID, v.Lang)
			}
			out = append(out, x)
		}
	}
	routing, err := w.previewRoute(r, v)
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(rw).Encode(map[string]any{"suggestions": out, "natures": natures, "routing": routing})
}

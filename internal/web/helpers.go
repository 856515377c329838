package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/classify"
	"pingan/internal/deadline"
	"pingan/internal/directory"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
	routing "pingan/internal/route"
	"pingan/internal/supervision"
)

// maxUpload is the largest file an import reads, and how much of a
// multipart form is held in memory while it is parsed (the rest waits in
// temporary files); maxFilesForm bounds the form as a whole.
const maxUpload = 64 << 20

func (w *Web) funcs() template.FuncMap {
	return template.FuncMap{
		"static": w.static.url,
		"tm": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(w.loc).Format("2006-01-02 15:04")
		},
		"due": func(t time.Time) string { return deadline.Text(t, w.loc) },
		// pathEscape makes a stored value one segment of a path (an audit
		// record's object id may be anything someone typed).
		"pathEscape": url.PathEscape,
		// fours cuts a key to be typed by hand into groups of four, each
		// shown apart (copied, the key comes without spaces).
		"fours": func(s string) []string {
			var out []string
			for len(s) > 4 {
				out, s = append(out, s[:4]), s[4:]
			}
			return append(out, s)
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(w.loc).Format("2006-01-02")
		},
		"iso": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(w.loc).Format(time.RFC3339)
		},
		"localinput": func(t time.Time) string { // for <input type=datetime-local>
			if t.IsZero() {
				return ""
			}
			return t.In(w.loc).Format("2006-01-02T15:04")
		},
		"kb": func(n int64) string {
			if n < 1024 {
				return strconv.FormatInt(n, 10) + " B"
			}
			if n < 1<<20 {
				return fmt.Sprintf("%.0f KB", float64(n)/1024)
			}
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		},
		"has": func(list []casework.Action, a string) bool {
			for _, x := range list {
				if string(x) == a {
					return true
				}
			}
			return false
		},
		"group":  grouped,
		"indent": func(depth int) string { return strings.Repeat("　", max(depth, 0)) },
		"add":    func(a, b int) int { return a + b },
		"pct":    func(x float64) float64 { return 100 * x },
		"list":   func(xs ...any) []any { return xs },
		"lines":  func(s string) []string { return strings.Split(s, "\n") },
		"offDays": func(days []calendar.Day, off bool) int {
			n := 0
			for _, d := range days {
				if d.Off == off {
					n++
				}
			}
			return n
		},
	}
}

// grouped writes n with its thousands grouped: 1,073,315.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// names returns the directory snapshot for naming things on a page.
func (v *view) names() *directory.Names {
	n, err := v.web.app.Directory.Get(contextTODO)
	if err != nil {
		v.web.log.Error("directory", "err", err)
		return &directory.Names{}
	}
	return n
}

// UnitName names a unit.
func (v *view) UnitName(id int64) string {
	if id == 0 {
		return "—"
	}
	return v.names().UnitName(id)
}

// UserName names a user.
func (v *view) UserName(id int64) string {
	if id == 0 {
		return "—"
	}
	return v.names().Users[id]
}

// CategoryPath names a category with its ancestors.
func (v *view) CategoryPath(id int64) string {
	if id == 0 {
		return "—"
	}
	return v.names().CategoryPath(id, v.Lang)
}

// CategoryCodePath names the category with this code and its ancestors; the
// code itself when no category has it.
func (v *view) CategoryCodePath(code string) string {
	n := v.names()
	if c, ok := n.CategoryByCode(code); ok {
		return n.CategoryPath(c.ID, v.Lang)
	}
	return code
}

// DivisionName names a division code with its district: 湖里区江头街道; the
// code itself when no division has it, "" for none.
func (v *view) DivisionName(code string) string {
	d, ok := division.ByCode(code)
	if !ok {
		return code
	}
	name := d.Name
	if p, ok := division.ByCode(d.ParentCode); ok && p.Level != division.City {
		name = p.Name + name
	}
	return name
}

// LabelPath names the category a classifier label (城乡建设/…/燃气供应)
// stands for, in the page's language; the label itself when the catalogue
// has no such category.
func (v *view) LabelPath(label string) string {
	n := v.names()
	// MatchLabel gives the deepest category of the path the catalogue
	// has: only the whole path names the label's category.
	if c, ok := catalog.MatchLabel(n.CatList, label); ok && c.Level == strings.Count(label, classify.PathSep)+1 {
		return n.CategoryPath(c.ID, v.Lang)
	}
	return label
}

// NatureName names a nature.
func (v *view) NatureName(code string) string {
	if code == "" {
		return "—"
	}
	if n, ok := v.names().Natures[code]; ok {
		return n.Label(v.Lang)
	}
	return code
}

// PolicyName names a deadline policy.
func (v *view) PolicyName(id int64) string { return v.names().Policies[id].Label().Format(v.Lang) }

// StateName names a case state.
func (v *view) StateName(s casework.State) string {
	for _, x := range casework.States {
		if x.State == s {
			return x.Name.Format(v.Lang)
		}
	}
	return string(s)
}

// ActionName names an action.
func (v *view) ActionName(a casework.Action) string {
	if m, ok := casework.ActionNames[a]; ok {
		return m.Format(v.Lang)
	}
	return string(a)
}

// RoleName names a role.
func (v *view) RoleName(r access.Role) string {
	ri, _ := access.Info(r)
	return ri.Name.Format(v.Lang)
}

// ChannelName names a channel.
func (v *view) ChannelName(c casework.Channel) string {
	for _, x := range casework.Channels {
		if x.Channel == c {
			return x.Name.Format(v.Lang)
		}
	}
	return string(c)
}

// PriorityName names a priority.
// It takes a casework.Priority or the plain string a policy stores.
func (v *view) PriorityName(p any) string {
	for _, x := range casework.Priorities {
		if string(x.Priority) == fmt.Sprint(p) {
			return x.Name.Format(v.Lang)
		}
	}
	return fmt.Sprint(p)
}

// SatisfactionName names a callback result.
func (v *view) SatisfactionName(s string) string {
	for _, x := range casework.Satisfactions {
		if x.Value == s {
			return x.Name.Format(v.Lang)
		}
	}
	return s
}

// KindName names a unit kind.
func (v *view) KindName(k org.Kind) string {
	for _, x := range org.Kinds {
		if x.Kind == k {
			return x.Name.Format(v.Lang)
		}
	}
	return string(k)
}

// LevelName names a unit level.
func (v *view) LevelName(l org.Level) string {
	for _, x := range org.Levels {
		if x.Level == l {
			return x.Name.Format(v.Lang)
		}
	}
	return string(l)
}

// OrderKind names a supervision kind.
func (v *view) OrderKind(k supervision.Kind) string {
	for _, x := range supervision.Kinds {
		if x.Kind == k {
			return x.Name.Format(v.Lang)
		}
	}
	return string(k)
}

// OrderState names a supervision order's state.
func (v *view) OrderState(s supervision.State) string {
	for _, x := range supervision.States {
		if x.State == s {
			return x.Name.Format(v.Lang)
		}
	}
	return string(s)
}

// Status is a case's colour now.
func (v *view) Status(c casework.Case) string { return string(c.Status(v.Now)) }

// StatusName names a colour.
func (v *view) StatusName(s string) string {
	for _, x := range deadline.Statuses {
		if string(x.Status) == s {
			return x.Name.Format(v.Lang)
		}
	}
	return ""
}

// Left says how long until the running deadline, or how long past it.
func (v *view) Left(c casework.Case) string {
	if c.DeadlineAt.IsZero() {
		return ""
	}
	d := c.DeadlineAt.Sub(v.Now)
	if d < 0 {
		return v.T("time.overdue", span(-d, v.Lang))
	}
	return v.T("time.left", span(d, v.Lang))
}

// Since says how long ago t was, for a case on no clock (waiting to be
// verified, called back, closed): how long it has been since it last
// changed.
func (v *view) Since(t time.Time) string {
	if t.IsZero() || t.After(v.Now) {
		return ""
	}
	return v.T("time.since_change", span(v.Now.Sub(t), v.Lang))
}

// Text is a message kept in both languages (an inbox notice's) in the
// page's.
func (v *view) Text(m i18n.Message) string { return m.Format(v.Lang) }

// DeadlineName names the deadline the case's clock runs to
// (casework.Case.DeadlineName) in the page's language.
func (v *view) DeadlineName(c casework.Case) string { return c.DeadlineName().Format(v.Lang) }

// span renders a duration as days and hours (or minutes).
func span(d time.Duration, lang i18n.Lang) string {
	days := int(d.Hours()) / 24
	hours := int(math.Mod(d.Hours(), 24))
	mins := int(math.Mod(d.Minutes(), 60))
	zh := lang != i18n.EN
	switch {
	case days > 0 && zh:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0 && zh:
		return fmt.Sprintf("%d小时%d分", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case zh:
		return fmt.Sprintf("%d分钟", mins)
	}
	return fmt.Sprintf("%dm", mins)
}

// reportItem is what the "report" template shows: a report of case
// Number; After is the cursor of the page of all reports it is on (-1 on
// the case's own page), which a reveal returns to.
type reportItem struct {
	V      *view
	R      casework.Report
	Number string
	After  int64
	From   string // the case it came in as, merged into this one since
}

// ReportItem pairs a report with what its template needs; from names the
// case it came in as, if any.
func (v *view) ReportItem(r casework.Report, number string, after int64, from string) reportItem {
	return reportItem{V: v, R: r, Number: number, After: after, From: from}
}

// Revealed is a report's personal field revealed by this request (on the
// case's page or a page of its reports), or "": the page shows it masked.
func (v *view) Revealed(reportID int64, field string) string {
	if m, ok := v.Data.(interface{ revealed(int64, string) string }); ok {
		return m.revealed(reportID, field)
	}
	return ""
}

// districtMap draws Xiamen's districts as SVG paths in an equirectangular
// projection; the page turns a click back into longitude and latitude with
// the same numbers.
type districtMap struct {
	MinLon, MaxLat, Scale, CosLat float64
	Width, Height                 int
	Paths                         []districtPath
}

type districtPath struct {
	Code, Name, D string
	LabelX        float64
	LabelY        float64
}

func newDistrictMap() districtMap {
	bs := division.Boundaries()
	minLon, maxLon, minLat, maxLat := 180.0, -180.0, 90.0, -90.0
	for _, b := range bs {
		for _, p := range b.Polygons {
			for _, pt := range p[0] {
				minLon, maxLon = min(minLon, pt[0]), max(maxLon, pt[0])
				minLat, maxLat = min(minLat, pt[1]), max(maxLat, pt[1])
			}
		}
	}
	cos := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	const width = 600.0
	scale := width / ((maxLon - minLon) * cos)
	m := districtMap{MinLon: minLon, MaxLat: maxLat, Scale: scale, CosLat: cos, Width: int(width),
		Height: int(math.Ceil((maxLat - minLat) * scale))}
	for _, b := range bs {
		var sb strings.Builder
		var sx, sy, n float64
		for _, p := range b.Polygons {
			for _, ring := range p {
				for i, pt := range ring {
					x, y := (pt[0]-minLon)*cos*scale, (maxLat-pt[1])*scale
					if i == 0 {
						fmt.Fprintf(&sb, "M%.1f %.1f", x, y)
					} else {
						fmt.Fprintf(&sb, "L%.1f %.1f", x, y)
					}
					sx, sy, n = sx+x, sy+y, n+1
				}
				sb.WriteString("Z")
			}
		}
		m.Paths = append(m.Paths, districtPath{Code: b.Code, Name: b.Name, D: sb.String(), LabelX: sx / n, LabelY: sy / n})
	}
	return m
}

// LimitText describes a deadline limit for people.
func (v *view) LimitText(l deadline.Limit) string {
	if l.Zero() {
		return "—"
	}
	return l.Describe(v.Lang)
}

// PolicyValues fills the policy form from a stored policy.
func (v *view) PolicyValues(p deadline.Policy) url.Values {
	f := url.Values{}
	set := func(k, s string) {
		if s != "" {
			f.Set(k, s)
		}
	}
	set("name", p.Name)
	set("name_en", p.NameEN)
	set("nature", p.Nature)
	if p.CategoryID != 0 {
		f.Set("category_id", strconv.FormatInt(p.CategoryID, 10))
	}
	set("priority", p.Priority)
	set("accept", p.Accept.String())
	set("sign", p.Sign.String())
	set("handle", p.Handle.String())
	set("handle_from", string(p.HandleFrom))
	set("extension", p.Extension.String())
	set("review", p.Review.String())
	set("rereview", p.ReReview.String())
	set("reply", p.Reply.String())
	if p.WarnRatio != 0 {
		f.Set("warn_ratio", strconv.FormatFloat(p.WarnRatio, 'f', -1, 64))
	}
	if p.MaxExtensions != nil {
		f.Set("max_extensions", strconv.Itoa(*p.MaxExtensions))
	}
	return f
}

// NewPolicyValues refills the new-policy form after an error, or is empty.
func (v *view) NewPolicyValues() url.Values {
	if v.Form != nil && v.Form.Get("new") == "1" {
		return v.Form
	}
	return url.Values{}
}

// FieldName names a form field in an error list; a field without a name of
// its own shows as it is.
func (v *view) FieldName(field string) string {
	if l, ok := v.Labels[field]; ok {
		return l
	}
	for _, key := range []string{"field." + field, "field." + strings.ReplaceAll(field, ".", "_")} {
		if _, ok := messages[key]; ok {
			return v.T(key)
		}
	}
	return field
}

// RouteText explains routing's suggestion for a case.
func (v *view) RouteText(c casework.Case) string {
	return routing.Explain(c.Route, v.Lang, v.UnitName)
}

// pageQuery is a list page's filters as the query string of its links (the
// next page, the export, the way back from a form), without the keys in drop
// (the page's own cursor). It is a template.URL because html/template would
// otherwise escape its = and & as one query value, and the link would lose
// every filter; q.Encode escapes each value, so nothing else gets through.
func pageQuery(q url.Values, drop ...string) template.URL {
	keep := url.Values{}
	for k, vs := range q {
		if !slices.Contains(drop, k) {
			keep[k] = vs
		}
	}
	return template.URL(keep.Encode())
}

// dayRange reads the "from" and "to" dates (YYYY-MM-DD, both days included)
// of a filter form as the half-open range [from, to+1 day) in the service's
// zone; an empty field leaves its end open.
func (w *Web) dayRange(q url.Values) (from, to time.Time, err error) {
	var v fault.Validation
	for _, p := range []struct {
		name  string
		dst   *time.Time
		after int
	}{{"from", &from, 0}, {"to", &to, 1}} {
		s := strings.TrimSpace(q.Get(p.name))
		if s == "" {
			continue
		}
		t, perr := time.ParseInLocation("2006-01-02", s, w.loc)
		if perr != nil {
			v.Add(p.name, fault.BadFormat, s)
			continue
		}
		*p.dst = t.AddDate(0, 0, p.after)
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		v.Add("to", msgToBeforeFrom) // would silently find nothing
	}
	return from, to, v.Err()
}

var msgToBeforeFrom = i18n.M("不能早于起始日期", "cannot be before the start date")

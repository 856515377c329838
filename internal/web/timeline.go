package web

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/i18n"
)

// A timeline entry stores what its action changed as codes and ids
// ("handling_unit_id": [0, 124]), which is what the API gives and the
// scorecards replay. The case's pages say it in the reader's language: 派往
// 江头街道, 分类 环境保护 → 噪音污染, 办理期限 2026-12-11 24:00.

// timelineKeys name the keys of entries' changes, in the order the pages
// list them, by the case page's field labels where it has them. Every key the code writes has a name (TestTimelineChangeKeysNamed
// reads them from the source); a name stays when the code stops writing its
// key, for the entries that have it.
var timelineKeys = []struct {
	Key  string
	Name i18n.Message
}{
	{"handling_unit_id", i18n.M("承办单位", "Handling unit")},
	{"handler_id", i18n.M("承办人", "Handler")},
	{"jurisdiction_unit_id", i18n.M("属地单位", "Jurisdiction")},
	{"nature", messages["field.nature"]},
	{"category_id", messages["field.category_id"]},
	{"priority", messages["field.priority"]},
	{"sign_due_at", messages["field.sign_due_at"]},
	{"due_at", messages["field.due_at"]},
	{"requested_due_at", i18n.M("申请延期至", "Extension requested until")},
	{"extension_count", i18n.M("延期次数", "Extensions")},
	{"satisfaction", messages["field.satisfaction"]},
	{"resolved", i18n.M("是否解决", "Resolved")},
	{"report_count", i18n.M("来件数", "Reports")},
}

// msgSentTo names a handling unit given to a case that had none.
var msgSentTo = i18n.M("派往", "Sent to")

// timelineChange is one change of a timeline entry as a page says it:
// Name, then After, or Before → After.
type timelineChange struct {
	Key           string // the code, kept on the page for whoever has to match it
	Name          string
	Before, After string // Before is "" for a value newly set
	// BeforeTitle and AfterTitle say a value in full where the page
	// shows it short (a category's path).
	BeforeTitle, AfterTitle string
}

// EntryChanges lists what a timeline entry changed, named in the page's
// language, leaving out what the entry says already: the state (shown
// beside it), the handler who is the entry's actor (who signed for it), a
// jurisdiction that follows the unit the case went to, a handler who left
// with the unit, an extension request that the entry approves or denies.
func (v *view) EntryChanges(e casework.Entry) []timelineChange {
	if len(e.Changes) == 0 {
		return nil
	}
	var out []timelineChange
	unitMoved := false
	if ch, ok := e.Changes["handling_unit_id"]; ok && changeID(ch[0]) != changeID(ch[1]) {
		unitMoved = true
	}
	known := map[string]bool{}
	for _, k := range timelineKeys {
		known[k.Key] = true
		ch, ok := e.Changes[k.Key]
		if !ok {
			continue
		}
		c := timelineChange{Key: k.Key, Name: k.Name.Format(v.Lang)}
		before, after := ch[0], ch[1]
		switch k.Key {
		case "handling_unit_id":
			c.Before, c.After = v.changeUnit(before), v.changeUnit(after)
			if c.Before == "" && c.After != "" {
				c.Name = msgSentTo.Format(v.Lang)
			}
		case "jurisdiction_unit_id":
			if to, ok := e.Changes["handling_unit_id"]; ok && changeID(to[1]) == changeID(after) {
				continue
			}
			c.Before, c.After = v.changeUnit(before), v.changeUnit(after)
		case "handler_id":
			if changeID(before) == 0 && changeID(after) == e.ActorID || changeID(after) == 0 && unitMoved {
				continue
			}
			c.Before, c.After = v.changeUser(before), v.changeUser(after)
		case "nature":
			c.Before, c.After = v.changeCode(before, v.NatureName), v.changeCode(after, v.NatureName)
		case "category_id":
			c.Before, c.BeforeTitle = v.changeCategory(before)
			c.After, c.AfterTitle = v.changeCategory(after)
		case "priority":
			if changeText(before) == "" && changeText(after) == string(casework.Normal) {
				continue // a case made with the usual priority
			}
			name := func(s string) string { return v.PriorityName(s) }
			c.Before, c.After = v.changeCode(before, name), v.changeCode(after, name)
		case "sign_due_at", "due_at":
			c.Before, c.After = v.changeTime(before), v.changeTime(after)
		case "requested_due_at":
			if changeText(after) == "" && (e.Action == casework.ApproveExtension || e.Action == casework.DenyExtension) {
				continue
			}
			c.Before, c.After = v.changeTime(before), v.changeTime(after)
		case "satisfaction":
			c.Before, c.After = v.changeCode(before, v.SatisfactionName), v.changeCode(after, v.SatisfactionName)
		case "resolved": // 已解决 says what it is
			c.Name, c.Before, c.After = "", v.changeResolved(before), v.changeResolved(after)
		default: // counts
			c.Before, c.After = changeText(before), changeText(after)
		}
		out = append(out, c.arrow())
	}
	// A key no name is known for yet (an entry written by a newer
	// version): as stored, not dropped.
	var rest []string
	for k := range e.Changes {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		c := timelineChange{Key: k, Name: k, Before: changeText(e.Changes[k][0]), After: changeText(e.Changes[k][1])}
		out = append(out, c.arrow())
	}
	return out
}

// arrow settles how a change reads: a value newly set alone, a value
// cleared as before → —.
func (c timelineChange) arrow() timelineChange {
	if c.After == "" {
		c.After, c.AfterTitle = "—", ""
	}
	return c
}

// changeID reads an id as the JSON of a change holds it (a number, or
// null).
func changeID(x any) int64 {
	switch x := x.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// changeText reads a plain value of a change as text ("" for none).
func changeText(x any) string {
	switch x := x.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(x)
}

func (v *view) changeUnit(x any) string {
	id := changeID(x)
	if id == 0 {
		return ""
	}
	if n := v.names().UnitName(id); n != "" {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

func (v *view) changeUser(x any) string {
	id := changeID(x)
	if id == 0 {
		return ""
	}
	if n := v.names().Users[id]; n != "" {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// changeCategory names a category by its own name, its path as the title.
func (v *view) changeCategory(x any) (name, path string) {
	id := changeID(x)
	if id == 0 {
		return "", ""
	}
	n := v.names()
	c, ok := n.Cats[id]
	if !ok {
		return "#" + strconv.FormatInt(id, 10), ""
	}
	return c.Label(v.Lang), n.CategoryPath(id, v.Lang)
}

func (v *view) changeCode(x any, name func(string) string) string {
	if s := changeText(x); s != "" {
		return name(s)
	}
	return ""
}

// changeTime writes a deadline as the pages do (deadline.Text: midnight is
// the day before's 24:00).
func (v *view) changeTime(x any) string {
	s := changeText(x)
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return deadline.Text(t, v.web.loc)
}

func (v *view) changeResolved(x any) string {
	switch x {
	case true:
		return v.T("case.resolved")
	case false:
		return v.T("case.unresolved")
	}
	return ""
}

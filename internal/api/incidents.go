package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// IncidentLine is one incident of the 110 feed: a JSON object per line.
type IncidentLine struct {
	IncidentNo  string         `json:"incident_no" doc:"the 110 system's incident number; the feed is idempotent on it"`
	ReportedAt  *time.Time     `json:"reported_at,omitempty" doc:"when the call came in (RFC 3339)"`
	Nature      string         `json:"nature,omitempty" doc:"a police nature: police_criminal, police_public_order, police_traffic, police_dispute, police_help, police_other (default)"`
	Summary     string         `json:"summary,omitempty" doc:"the incident's title; from the description when empty"`
	Description string         `json:"description"`
	Address     string         `json:"address,omitempty"`
	Location    *Location      `json:"location,omitempty"`
	Caller      *ReporterInput `json:"caller,omitempty"`
	Priority    string         `json:"priority,omitempty" doc:"normal, urgent or emergency"`
}

// FeedResult says what became of each line of a feed.
type FeedResult struct {
	Accepted int        `json:"accepted" doc:"lines that opened or joined a case"`
	Replayed int        `json:"replayed" doc:"incidents already received: nothing was added"`
	Failed   int        `json:"failed"`
	Lines    []FeedLine `json:"lines"`
}

// FeedLine is one line's outcome.
type FeedLine struct {
	Line       int           `json:"line"`
	IncidentNo string        `json:"incident_no,omitempty"`
	CaseNumber string        `json:"case_number,omitempty"`
	Replayed   bool          `json:"replayed,omitempty"`
	Error      string        `json:"error,omitempty"`
	Fields     []FieldDetail `json:"fields,omitempty"`
}

// FieldDetail names a field a line got wrong.
type FieldDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// feed limits: one request holds at most this many incidents, and a line
// at most maxBody bytes.
const (
	maxFeedLines = 10_000
	maxFeedBody  = 64 << 20
)

var (
	msgFeedEmpty = i18n.M("没有警情：每行一个 JSON 对象", "no incidents: send one JSON object per line")
	msgFeedLarge = i18n.M("一次最多 %d 条警情", "at most %d incidents per request")
	msgNotPolice = i18n.M("不是警情性质：%s", "not a police nature: %s")
	msgNoIncNo   = i18n.M("缺少警情编号", "the incident number is missing")
)

// incidents takes in the 110 feed: JSON lines, each an incident, each
// taken in on its own (one bad line does not stop the others), idempotent
// on the incident number.
func (a *API) incidents(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	sc := bufio.NewScanner(io.LimitReader(r.Body, maxFeedBody))
	sc.Buffer(make([]byte, 64<<10), maxBody)
	var res FeedResult
	n := 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if len(res.Lines) == maxFeedLines {
			return fault.New(fault.Invalid, "feed-too-large", msgFeedLarge, maxFeedLines)
		}
		out := FeedLine{Line: n}
		c, replayed, err := a.incident(r, actor, raw, &out)
		switch {
		case err != nil:
			res.Failed++
			out.Error = err.Error()
			if fe, ok := fault.As(err); ok && fe.Kind == fault.Forbidden {
				return err // the caller may not take incidents in at all
			}
			if fe, ok := fault.As(err); ok {
				lang := langOf(r)
				out.Error = fe.Msg.Format(lang, fe.Args...)
				for _, f := range fe.Fields {
					out.Fields = append(out.Fields, FieldDetail{Field: f.Field, Message: f.Msg.Format(lang, f.Args...)})
				}
			} else {
				return err // the database failed, not the line: stop
			}
		case replayed:
			res.Replayed++
			out.CaseNumber, out.Replayed = c, true
		default:
			res.Accepted++
			out.CaseNumber = c
		}
		res.Lines = append(res.Lines, out)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fault.New(fault.Invalid, "line-too-long", msgBodyLarge, maxBody>>10)
		}
		return fmt.Errorf("read feed: %w", err)
	}
	if len(res.Lines) == 0 {
		return fault.New(fault.Invalid, "feed-empty", msgFeedEmpty)
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) incident(r *http.Request, actor access.Actor, raw []byte, out *FeedLine) (string, bool, error) {
	var in IncidentLine
	if _, err := strictJSON(raw, &in); err != nil {
		return "", false, err
	}
	out.IncidentNo = in.IncidentNo
	if strings.TrimSpace(in.IncidentNo) == "" {
		return "", false, fault.InvalidField("incident_no", msgNoIncNo)
	}
	// Without a nature, intake gives the incident the channel's default.
	if in.Nature != "" && !strings.HasPrefix(in.Nature, "police_") {
		return "", false, fault.InvalidField("nature", msgNotPolice, in.Nature)
	}
	rep := casework.ReportInput{Channel: casework.Channel("police_110"), SourceRef: strings.TrimSpace(in.IncidentNo),
		Title: in.Summary, Body: in.Description, Address: in.Address, Nature: in.Nature, Priority: casework.Priority(in.Priority)}
	if in.ReportedAt != nil {
		rep.OccurredAt = *in.ReportedAt
	}
	if in.Caller != nil {
		rep.ReporterName, rep.ReporterPhone, rep.ReporterIDNumber = in.Caller.Name, in.Caller.Phone, in.Caller.IDNumber
	}
	var err error
	if rep.Location, err = in.Location.point(); err != nil {
		return "", false, err
	}
	res, err := a.cases.Intake(r.Context(), actor, rep)
	if err != nil {
		return "", false, err
	}
	return res.Case.Number, res.Replayed, nil
}

package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"pingan/internal/db"
	"pingan/internal/route"
	"pingan/internal/search"
)

const caseColumns = `c.id, c.number, c.title, COALESCE(c.nature, ''), COALESCE(c.category_id, 0), c.priority, c.state,
	COALESCE(c.resume_state, ''), c.channel, c.intake_unit_id, COALESCE(c.jurisdiction_unit_id, 0),
	COALESCE(c.handling_unit_id, 0), COALESCE(c.handler_id, 0), COALESCE(c.division_code, ''), c.address, c.lat, c.lon,
	c.received_at, c.sign_due_at, c.due_at, c.suspended_at, c.requested_due_at, c.extension_count, c.report_count,
	COALESCE(c.satisfaction, ''), c.resolved, c.closed_at, c.updated_at, c.version,
	c.accept_due_at, c.clock_start_at, c.deadline_at, c.warn_at, COALESCE(c.policy_id, 0),
	COALESCE(c.route_unit_id, 0), COALESCE(c.route_note, ''), c.triage, COALESCE(c.suggestion, ''), COALESCE(c.merged_into, 0), c.overdue_at`

func scanCase(s interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var lat, lon sql.NullFloat64
	var received, updated int64
	var signDue, due, suspended, requested, closed sql.NullInt64
	var resolved sql.NullBool
	var acceptDue, clockStart, deadlineAt, warnAt, overdueAt sql.NullInt64
	var routeNote, suggestion string
	err := s.Scan(&c.ID, &c.Number, &c.Title, &c.Nature, &c.CategoryID, &c.Priority, &c.State, &c.ResumeState,
		&c.Channel, &c.IntakeUnitID, &c.JurisdictionUnitID, &c.HandlingUnitID, &c.HandlerID, &c.DivisionCode,
		&c.Address, &lat, &lon, &received, &signDue, &due, &suspended, &requested, &c.ExtensionCount,
		&c.ReportCount, &c.Satisfaction, &resolved, &closed, &updated, &c.Version,
		&acceptDue, &clockStart, &deadlineAt, &warnAt, &c.PolicyID, &c.RouteUnitID, &routeNote, &c.Triage, &suggestion, &c.MergedInto, &overdueAt)
	if err != nil {
		return Case{}, err
	}
	if suggestion != "" {
		c.Suggestion = &Suggestion{}
		if err := json.Unmarshal([]byte(suggestion), c.Suggestion); err != nil {
			return Case{}, fmt.Errorf("case %s: suggestion: %w", c.Number, err)
		}
	}
	if routeNote != "" {
		if err := json.Unmarshal([]byte(routeNote), &c.Route); err != nil {
			return Case{}, fmt.Errorf("case %s: routing note: %w", c.Number, err)
		}
	}
	if lat.Valid && lon.Valid {
		c.Location = &Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	if resolved.Valid {
		c.Resolved = &resolved.Bool
	}
	c.ReceivedAt, c.UpdatedAt = time.UnixMicro(received), time.UnixMicro(updated)
	c.SignDueAt, c.DueAt, c.SuspendedAt = db.Time(signDue), db.Time(due), db.Time(suspended)
	c.RequestedDueAt, c.ClosedAt = db.Time(requested), db.Time(closed)
	c.AcceptDueAt, c.ClockStartAt, c.DeadlineAt, c.WarnAt = db.Time(acceptDue), db.Time(clockStart), db.Time(deadlineAt), db.Time(warnAt)
	c.OverdueAt = db.Time(overdueAt)
	return c, nil
}

func caseByNumber(ctx context.Context, q db.Querier, number string) (Case, error) {
	return scanCase(q.QueryRowContext(ctx, "SELECT "+caseColumns+" FROM cases c WHERE c.number = $1"+forUpdate(q), number))
}

func caseByID(ctx context.Context, q db.Querier, id int64) (Case, error) {
	return scanCase(q.QueryRowContext(ctx, "SELECT "+caseColumns+" FROM cases c WHERE c.id = $1"+forUpdate(q), id))
}

// forUpdate locks the case a write reads, on PostgreSQL: a write reads a case
// to change it, and concurrent writes of one case (a person's action, a
// timer's) then wait for each other instead of one failing on the version
// check. SQLite runs one write at a time anyway.
func forUpdate(q db.Querier) string {
	if tx, ok := q.(*db.Tx); ok && tx.Dialect() == db.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// updateCase writes every mutable column of c, guarded by its version; it
// reports false when someone else changed the case first.
func updateCase(ctx context.Context, tx *db.Tx, c Case, now time.Time) (bool, error) {
	var lat, lon any
	if c.Location != nil {
		lat, lon = c.Location.Lat, c.Location.Lon
	}
	var resolved any
	if c.Resolved != nil {
		resolved = *c.Resolved
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET title = $1, nature = $2, category_id = $3, priority = $4,
		state = $5, resume_state = $6, jurisdiction_unit_id = $7, handling_unit_id = $8, handler_id = $9,
		division_code = $10, address = $11, lat = $12, lon = $13, sign_due_at = $14, due_at = $15,
		suspended_at = $16, requested_due_at = $17, extension_count = $18, report_count = $19,
		satisfaction = $20, resolved = $21, closed_at = $22, updated_at = $23, version = version + 1,
		accept_due_at = $26, clock_start_at = $27, deadline_at = $28, warn_at = $29, policy_id = $30,
		route_unit_id = $31, route_note = $32, triage = $33, merged_into = $34, overdue_at = $35
		WHERE id = $24 AND version = $25`,
		c.Title, db.NullText(c.Nature), db.NullID(c.CategoryID), c.Priority, c.State, db.NullText(string(c.ResumeState)),
		db.NullID(c.JurisdictionUnitID), db.NullID(c.HandlingUnitID), db.NullID(c.HandlerID), db.NullText(c.DivisionCode),
		c.Address, lat, lon, db.Micros(c.SignDueAt), db.Micros(c.DueAt), db.Micros(c.SuspendedAt),
		db.Micros(c.RequestedDueAt), c.ExtensionCount, c.ReportCount, db.NullText(c.Satisfaction), resolved,
		db.Micros(c.ClosedAt), now.UnixMicro(), c.ID, c.Version,
		db.Micros(c.AcceptDueAt), db.Micros(c.ClockStartAt), db.Micros(c.DeadlineAt), db.Micros(c.WarnAt), db.NullID(c.PolicyID),
		db.NullID(c.RouteUnitID), routeNote(c.Route), c.Triage, db.NullID(c.MergedInto), db.Micros(c.OverdueAt))
	if err != nil {
		return false, fmt.Errorf("update case %s: %w", c.Number, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("update case %s: %w", c.Number, err)
	}
	return n == 1, nil
}

// suggestionJSON stores a classifier's suggestion (NULL for none).
func suggestionJSON(sg *Suggestion) any {
	if sg == nil {
		return nil
	}
	b, _ := json.Marshal(sg) // plain fields: cannot fail
	return string(b)
}

// routeNote stores a routing decision (NULL for none).
func routeNote(d route.Decision) any {
	if d.AreaCode == "" && !d.Triage && d.UnitID == 0 {
		return nil
	}
	b, _ := json.Marshal(d) // plain fields: cannot fail
	return string(b)
}

// involve records that unit has a part in the case, so its scope sees it.
// A unit new to the case re-indexes it: its index entry holds the scope
// (search.Rescope).
func involve(ctx context.Context, tx *db.Tx, caseID, unitID int64) error {
	if unitID == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO case_units (unit_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", unitID, caseID)
	if err != nil {
		return fmt.Errorf("involve unit %d in case %d: %w", unitID, caseID, err)
	}
	added, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("involve unit %d in case %d: %w", unitID, caseID, err)
	}
	if added == 0 {
		return nil
	}
	return search.Rescope(ctx, tx, caseID)
}

// involvedUnits returns the units that have a part in a case.
func involvedUnits(ctx context.Context, q db.Querier, caseID int64) ([]int64, error) {
	units, err := db.IDs(ctx, q, "SELECT unit_id FROM case_units WHERE case_id = $1", caseID)
	if err != nil {
		return nil, fmt.Errorf("read case units: %w", err)
	}
	return units, nil
}

// appendEntry adds a timeline entry and returns its id.
func appendEntry(ctx context.Context, tx *db.Tx, e Entry) (int64, error) {
	changes := "{}"
	if len(e.Changes) > 0 {
		b, err := json.Marshal(e.Changes)
		if err != nil {
			return 0, fmt.Errorf("timeline: encode changes: %w", err)
		}
		changes = string(b)
	}
	var id int64
	note, noteEN := e.Note.Columns()
	err := tx.QueryRowContext(ctx, `INSERT INTO timeline (case_id, at, actor_id, unit_id, action, from_state, to_state, note, note_en, changes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.CaseID, e.At.UnixMicro(), db.NullID(e.ActorID), db.NullID(e.UnitID), e.Action, e.FromState, e.ToState,
		note, noteEN, changes).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("timeline: %w", err)
	}
	return id, nil
}

func insertAttachments(ctx context.Context, tx *db.Tx, caseID, reportID, timelineID, by int64, at time.Time, as []AttachmentInput) ([]Attachment, error) {
	out := []Attachment{}
	for _, a := range as {
		att := Attachment{CaseID: caseID, ReportID: reportID, TimelineID: timelineID, Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, SHA256: a.SHA256, CreatedAt: time.UnixMicro(at.UnixMicro()), CreatedBy: by}
		// The content is pingan's when a blob with that digest was stored.
		// Touching it claims it: housekeeping (Sweep) deletes only content
		// untouched for a day, and on PostgreSQL its delete waits for this
		// row lock, then finds the content fresh.
		var stored int64
		if a.SHA256 != "" {
			res, err := tx.ExecContext(ctx, "UPDATE attachment_blobs SET created_at = $1 WHERE sha256 = $2 AND size = $3",
				at.UnixMicro(), a.SHA256, a.Size)
			if err == nil {
				stored, err = res.RowsAffected()
			}
			if err != nil {
				return nil, fmt.Errorf("attachment %q: %w", a.Name, err)
			}
		}
		var key any
		if stored > 0 {
			key, att.Stored = a.SHA256, true
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO attachments (case_id, report_id, timeline_id, name, content_type, size, sha256, content_key, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, caseID, db.NullID(reportID), db.NullID(timelineID), a.Name,
			a.ContentType, a.Size, a.SHA256, key, at.UnixMicro(), db.NullID(by)).Scan(&att.ID); err != nil {
			return nil, fmt.Errorf("attachment %q: %w", a.Name, err)
		}
		out = append(out, att)
	}
	return out, nil
}

// NumberSeries names the series of case numbers of a year.
func NumberSeries(year int) string { return "case:" + strconv.Itoa(year) }

// FormatNumber renders a case number: XM-2026-000123.
func FormatNumber(prefix string, year int, n int64) string {
	return fmt.Sprintf("%s-%d-%06d", prefix, year, n)
}

// nextNumber takes the next case number of year (see db.Tx.NextInSeries for
// when numbers are gapless).
func nextNumber(ctx context.Context, tx *db.Tx, prefix string, year int) (string, error) {
	n, err := tx.NextInSeries(ctx, NumberSeries(year))
	if err != nil {
		return "", fmt.Errorf("next case number: %w", err)
	}
	return FormatNumber(prefix, year, n), nil
}

func nullPoint(p *Point) (any, any) {
	if p == nil {
		return nil, nil
	}
	return p.Lat, p.Lon
}

package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/casegen"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/org"
)

// EnsureAccounts creates the demo users that do not exist yet, without
// issuing tokens.
func EnsureAccounts(ctx context.Context, a *app.App) error {
	actor := access.System("demo")
	for _, du := range Users {
		_, err := a.Org.UserByName(ctx, a.DB, du.Username)
		if fault.KindOf(err) != fault.NotFound {
			if err != nil {
				return err
			}
			continue
		}
		unit, err := a.Org.UnitByCode(ctx, a.DB, du.UnitCode)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", du.Username, err)
		}
		if _, err := a.Org.CreateUser(ctx, actor, org.UserInput{Username: du.Username, Name: du.Name, UnitID: unit.ID,
			Roles: du.Roles, Password: Password}); err != nil {
			return fmt.Errorf("demo user %s: %w", du.Username, err)
		}
	}
	return nil
}

// World resolves the organisation and catalogue for the case generator. Every
// unit gets a handler: an existing one (the demo's own handlers keep their
// units' cases) or a new account h.<unit code> without a password.
func World(ctx context.Context, a *app.App) (casegen.World, error) {
	w := casegen.World{Units: map[string]int64{}, Handlers: map[int64]int64{}, Categories: map[string]int64{},
		Families: map[string]string{}, Keys: a.Keys, Location: a.Config.Location(), Prefix: a.Config.CasePrefix}
	units, err := a.Org.Units(ctx)
	if err != nil {
		return w, err
	}
	w.Ancestors = map[int64][]int64{}
	for _, u := range units {
		w.Ancestors[u.ID] = u.Ancestors()
	}
	users, err := a.Org.Users(ctx, 0)
	if err != nil {
		return w, err
	}
	byName := map[string]org.User{}
	for _, u := range users {
		byName[u.Username] = u
		if u.DisabledAt.IsZero() && hasRole(u, access.Handler) {
			if _, taken := w.Handlers[u.UnitID]; !taken {
				w.Handlers[u.UnitID] = u.ID
			}
		}
	}
	member := func(username string) (casegen.Member, error) {
		u, ok := byName[username]
		if !ok {
			return casegen.Member{}, fmt.Errorf("demo user %s missing: run EnsureAccounts first", username)
		}
		return casegen.Member{UserID: u.ID, UnitID: u.UnitID}, nil
	}
	for role, dst := range map[string]*casegen.Member{"intake": &w.Cast.Intake, "dispatcher": &w.Cast.Dispatcher,
		"callback": &w.Cast.Callback, "verifier": &w.Cast.Verifier, "supervisor": &w.Cast.Supervisor} {
		if *dst, err = member(role); err != nil {
			return w, err
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	sys := access.System("demo")
	for _, u := range units {
		w.Units[u.Code] = u.ID
		if _, ok := w.Handlers[u.ID]; ok || u.ParentID == 0 || u.Kind == org.Committee || u.Kind == org.Hotline {
			continue
		}
		name := casegen.Surnames[rng.IntN(len(casegen.Surnames))] + casegen.GivenNames[rng.IntN(len(casegen.GivenNames))]
		nu, err := a.Org.CreateUser(ctx, sys, org.UserInput{Username: "h." + strings.ToLower(u.Code), Name: name,
			UnitID: u.ID, Roles: []access.Role{access.Handler}})
		if err != nil {
			return w, fmt.Errorf("handler for %s: %w", u.Name, err)
		}
		w.Handlers[u.ID] = nu.ID
	}
	cats, err := a.Catalog.Categories(ctx, false)
	if err != nil {
		return w, err
	}
	names := map[int64]string{}
	for _, c := range cats {
		path := c.Name
		if p, ok := names[c.ParentID]; ok {
			path = p + "/" + c.Name
		}
		names[c.ID] = path
		w.Categories[path] = c.ID
	}
	w.CategoryCodes = map[int64]string{}
	for _, c := range cats {
		w.CategoryCodes[c.ID] = c.Code
	}
	if w.Policies, err = a.Policies.Policies(ctx); err != nil {
		return w, err
	}
	if w.Calendar, err = a.Calendar.Calendar(ctx); err != nil {
		return w, err
	}
	natures, err := a.Catalog.Natures(ctx)
	if err != nil {
		return w, err
	}
	for _, n := range natures {
		w.Families[n.Code] = string(n.Family)
	}
	return w, nil
}

func hasRole(u org.User, r access.Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// CaseCount returns how many cases the database holds.
func CaseCount(ctx context.Context, d *db.DB) (int, error) {
	var n int
	err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases").Scan(&n)
	return n, err
}

// GenerateCases writes n generated cases received over the days before
// now, straight into the tables (casegen.Load), and returns the world they
// were made in, with their scoring events (the loader records them). The
// other counters that follow from cases are not rebuilt: see LoadCases.
func GenerateCases(ctx context.Context, a *app.App, n int, days int, seed uint64, progress func(int)) (casegen.World, error) {
	return generate(ctx, a, n, days, seed, nil, progress)
}

func generate(ctx context.Context, a *app.App, n int, days int, seed uint64, focus []string, progress func(int)) (casegen.World, error) {
	w, err := World(ctx, a)
	if err != nil {
		return w, err
	}
	w.Focus = focus
	g, err := casegen.New(w, seed)
	if err != nil {
		return w, err
	}
	now := a.Now()
	return w, casegen.Load(ctx, a.DB, a.Audit, a.Score, g, n, now.Add(-time.Duration(days)*24*time.Hour), now, progress)
}

// LoadCases generates n cases received over the days before now, and
// everything that follows from them.
func LoadCases(ctx context.Context, a *app.App, n int, days int, seed uint64, progress func(int)) error {
	return load(ctx, a, n, days, seed, nil, progress)
}

// LoadDemo is LoadCases for the demo: a quarter of the cases are in the
// townships the demo's handlers work in (Users), so that each finds cases
// waiting in their queue.
func LoadDemo(ctx context.Context, a *app.App, n int, days int, seed uint64) error {
	var focus []string
	for _, u := range Users {
		if slices.Contains(u.Roles, access.Handler) {
			code := u.UnitCode[strings.LastIndex(u.UnitCode, "-")+1:] // PSB-350206004: the station of that township
			if !slices.Contains(focus, code) {
				focus = append(focus, code)
			}
		}
	}
	return load(ctx, a, n, days, seed, focus, nil)
}

// load generates and loads n cases, then derives what the cases imply.
// focus, the demo's townships, marks the demo's load (LoadDemo); nil is a
// plain load (LoadCases, pingan gen), which fills no inboxes.
func load(ctx context.Context, a *app.App, n int, days int, seed uint64, focus []string, progress func(int)) error {
	// Of the n cases, repeats are the last few: taken in now and merged
	// into the open cases they repeat.
	repeats := min(50, n/200)
	w, err := generate(ctx, a, n-repeats, days, seed, focus, progress)
	if err != nil {
		return err
	}
	g, err := casegen.New(w, seed+1) // the repeats' words, other than the load's
	if err != nil {
		return err
	}
	// The loader writes cases and timelines directly, with the scoring
	// events their histories imply (the scorecards); the petition
	// registry, the dashboard's volumes and the backlog follow from them.
	// The demo then replays its history's timers at the times they fell
	// due (warnings, automatic supervision orders, their escalations; most
	// orders answered by their units, see replay), so that the ledger reads
	// as if pingan had been running all along; a plain load leaves them
	// pending, to fire when pingan runs (the cases past their deadline are
	// marked overdue now).
	// The cases waiting to be registered or dispatched then show what
	// routing and the classifier suggest, as if they had come through
	// intake; a few repeats come in and are merged as a dispatcher would.
	steps := []struct {
		name string
		run  func() error
	}{
		{"petition registry rebuilt", func() error { _, err := a.Cases.RebuildPetitions(ctx); return err }},
		{"timers replayed", func() error {
			if focus == nil {
				return nil
			}
			fired, replied, err := replay(ctx, a, w, seed)
			a.Log.Debug("timers replayed", "fired", fired, "orders answered", replied)
			return err
		}},
		{"backlog counters rebuilt", func() error { _, err := a.Cases.RebuildBacklog(ctx); return err }},
		{"dashboard volumes rebuilt", func() error { return a.Dashboard.Rebuild(ctx) }},
		{"waiting cases routed", func() error { _, err := a.Cases.RouteWaiting(ctx, access.System("demo")); return err }},
		{"repeats merged", func() error { return mergeRepeats(ctx, a, g, w.Cast, repeats) }},
	}
	for _, st := range steps {
		start := time.Now()
		if err := st.run(); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		a.Log.Debug(st.name, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// mergeRepeats takes in a repeat of each of up to k of the newest open
// cases — another report of its matter, as a neighbour or the citizen
// calling again would tell it (casegen.Repeat: other words, the same
// places) — and merges it into the case it repeats, through the service,
// as the intake operator and the dispatcher would (并案).
func mergeRepeats(ctx context.Context, a *app.App, g *casegen.Generator, cast casegen.Cast, k int) error {
	if k <= 0 {
		return nil
	}
	operator, err := a.Org.Actor(ctx, cast.Intake.UserID)
	if err != nil {
		return fmt.Errorf("merge repeats: %w", err)
	}
	dispatcher, err := a.Org.Actor(ctx, cast.Dispatcher.UserID)
	if err != nil {
		return fmt.Errorf("merge repeats: %w", err)
	}
	type open struct {
		number, title, address, division, nature string
		category                                 int64
	}
	var cases []open
	// The newest cases being handled, a bounded read at any size.
	rows, err := a.DB.QueryContext(ctx, `SELECT number, title, COALESCE(address, ''), COALESCE(division_code, ''), nature,
		COALESCE(category_id, 0) FROM cases WHERE state IN ('dispatched', 'handling') AND id > (SELECT MAX(id) FROM cases) - 5000
		ORDER BY id DESC`)
	if err != nil {
		return fmt.Errorf("merge repeats: %w", err)
	}
	for rows.Next() {
		var c open
		if err := rows.Scan(&c.number, &c.title, &c.address, &c.division, &c.nature, &c.category); err != nil {
			rows.Close()
			return fmt.Errorf("merge repeats: %w", err)
		}
		cases = append(cases, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("merge repeats: %w", err)
	}
	merged := 0
	for _, c := range cases {
		if merged == k {
			break
		}
		title, body, ok := g.Repeat(c.title, c.address, c.division, c.category)
		if !ok {
			continue
		}
		res, err := a.Cases.Intake(ctx, operator, casework.ReportInput{Channel: "hotline", Title: title, Body: body,
			Address: c.address, DivisionCode: c.division, Nature: c.nature, KeepSeparate: true})
		if err != nil {
			return fmt.Errorf("merge repeats: take in a repeat of %s: %w", c.number, err)
		}
		if _, err := a.Cases.Do(ctx, dispatcher, res.Case.Number, casework.Merge, casework.ActionInput{Into: c.number,
			Reason: "同一地点同一事项的重复来件"}); err != nil {
			return fmt.Errorf("merge %s into %s: %w", res.Case.Number, c.number, err)
		}
		merged++
	}
	return nil
}

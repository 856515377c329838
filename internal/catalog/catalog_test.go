package catalog_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/catalog"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

var ctx = context.Background()

func TestSeededCatalogue(t *testing.T) {
	env := apptest.New(t)
	cats, err := env.App.Catalog.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	byDomain := map[catalog.Domain]int{}
	levels := map[int]int{}
	for _, c := range cats {
		byDomain[c.Domain]++
		if c.Domain == catalog.Civic {
			levels[c.Level]++
		}
	}
	// The civic taxonomy: 15 first-level, 119 second-level, 517 third-level.
	if levels[1] != 15 || levels[2] != 118 || levels[3] != 517 {
		t.Errorf("civic levels %v", levels)
	}
	if byDomain[catalog.PoliceDomain] != 6+30 || byDomain[catalog.DisputeDomain] != 14 {
		t.Errorf("police %d, dispute %d", byDomain[catalog.PoliceDomain], byDomain[catalog.DisputeDomain])
	}
	ns, err := env.App.Catalog.Natures(ctx)
	if err != nil || len(ns) != 20 {
		t.Errorf("%d natures (%v)", len(ns), err)
	}
}

func TestRetireAndRestore(t *testing.T) {
	env := apptest.New(t)
	c := env.App.Catalog
	admin := env.Actor(t, "sysadmin")
	parent, err := c.CategoryByCode(ctx, env.App.DB, "C0402") // 环境污染
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetCategoryRetired(ctx, admin, parent.ID, true); err != nil {
		t.Fatal(err)
	}
	child, _ := c.CategoryByCode(ctx, env.App.DB, "C0402003") // 噪音污染
	if child.Active() {
		t.Error("retiring a category leaves its children active")
	}
	if _, err := c.SetCategoryRetired(ctx, admin, child.ID, false); fault.KindOf(err) != fault.Conflict {
		t.Errorf("restore a child of a retired category: %v", err)
	}
	if _, err := c.SetCategoryRetired(ctx, admin, parent.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetCategoryRetired(ctx, admin, child.ID, false); err != nil {
		t.Errorf("restore the child after its parent: %v", err)
	}
	if _, err := c.CreateCategory(ctx, admin, catalog.CategoryInput{ParentID: parent.ID, Name: "噪音污染"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("duplicate sibling name: %v", err)
	}
	if _, err := c.CreateCategory(ctx, env.Actor(t, "dispatcher"), catalog.CategoryInput{ParentID: parent.ID, Name: "新类"}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("dispatcher edits the catalogue: %v", err)
	}
	n, err := c.CreateNature(ctx, admin, catalog.NatureInput{Code: "petition_review", Family: catalog.Petition, Name: "复查复核", NameEN: "Review"})
	if err != nil || n.Family != catalog.Petition {
		t.Fatalf("create nature: %+v %v", n, err)
	}
	if _, err := c.CreateNature(ctx, admin, catalog.NatureInput{Code: "Bad Code", Family: "x", Name: ""}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("invalid nature: %v", err)
	}
	if n, err := c.SetNatureRetired(ctx, admin, "petition_review", true); err != nil || n.Active() {
		t.Errorf("retire nature: %v", err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ActorID: admin.UserID})
	if err != nil || len(recs) != 5 {
		t.Errorf("%d audit records for the administrator's 5 changes (%v)", len(recs), err)
	}
	recs, err = env.App.Audit.List(ctx, env.App.DB, audit.Filter{ActorID: env.Actor(t, "dispatcher").UserID})
	if err != nil || len(recs) != 1 || recs[0].Outcome != audit.Denied || recs[0].Action != "category.create" {
		t.Errorf("the dispatcher's refused edit is not audited: %+v (%v)", recs, err)
	}
}

// Classifier labels name categories by their path: a category's label
// leads back to it, a label deeper than the catalogue (or through a
// retired category) to its deepest known ancestor, and the list and the
// database answer alike.
func TestLabels(t *testing.T) {
	env := apptest.New(t)
	cats, err := env.App.Catalog.Categories(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var gas catalog.Category
	for _, c := range cats {
		if c.Name == "燃气供应" {
			gas = c
		}
	}
	path, err := env.App.Catalog.Path(ctx, env.App.DB, gas.ID)
	if err != nil {
		t.Fatal(err)
	}
	label := catalog.LabelOf(path)
	if label != "城乡建设/城市建设和市政管理/燃气供应" {
		t.Fatalf("label %q", label)
	}
	check := func(label string, want int64) {
		t.Helper()
		all, err := env.App.Catalog.Categories(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := catalog.MatchLabel(all, label)
		d, found, err := env.App.Catalog.ByLabel(ctx, label)
		if err != nil || c.ID != want || d.ID != want || ok != (want != 0) || found != ok {
			t.Errorf("%q: list %d %v, database %d %v %v; want %d", label, c.ID, ok, d.ID, found, err, want)
		}
	}
	check(label, gas.ID)
	check("城乡建设/城市建设和市政管理/不存在", path[1].ID)
	check("城乡建设", path[0].ID)
	check("不存在", 0)
	if _, err := env.App.Catalog.SetCategoryRetired(ctx, env.Actor(t, "sysadmin"), gas.ID, true); err != nil {
		t.Fatal(err)
	}
	check(label, path[1].ID)
}

// ByLabel reads a cached catalogue: this node's changes reach it as they
// commit, another node's (a second service on the same database) once the
// cache's half minute has passed.
func TestLabelsCachedAcrossNodes(t *testing.T) {
	env := apptest.New(t)
	now := time.Now()
	other := catalog.NewService(env.App.DB, env.App.Audit, func() time.Time { return now })
	admin := env.Actor(t, "sysadmin")
	gas, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	path, err := env.App.Catalog.Path(ctx, env.App.DB, gas.ID)
	if err != nil {
		t.Fatal(err)
	}
	label := catalog.LabelOf(path)
	for _, s := range []*catalog.Service{env.App.Catalog, other} {
		if c, found, err := s.ByLabel(ctx, label); err != nil || !found || c.ID != gas.ID {
			t.Fatalf("before the rename: %d %v %v", c.ID, found, err)
		}
	}
	renamed, err := env.App.Catalog.UpdateCategory(ctx, admin, gas.ID, catalog.CategoryInput{Name: gas.Name + "（新）", NameEN: gas.NameEN, Sort: gas.Sort})
	if err != nil {
		t.Fatal(err)
	}
	newLabel := label + "（新）"
	if c, found, err := env.App.Catalog.ByLabel(ctx, newLabel); err != nil || !found || c.ID != renamed.ID {
		t.Errorf("this node does not see its own rename at once: %d %v %v", c.ID, found, err)
	}
	if c, _, err := env.App.Catalog.ByLabel(ctx, label); err != nil || c.ID != path[len(path)-2].ID {
		t.Errorf("the old label still names the renamed category here: %d %v", c.ID, err)
	}
	if c, _, err := other.ByLabel(ctx, label); err != nil || c.ID != gas.ID {
		t.Errorf("the other node read the catalogue again before its cache expired: %d %v", c.ID, err)
	}
	now = now.Add(31 * time.Second)
	if c, found, err := other.ByLabel(ctx, newLabel); err != nil || !found || c.ID != gas.ID {
		t.Errorf("the other node does not see the rename after 31 s: %d %v %v", c.ID, found, err)
	}
}

// TestCatalogueInEnglish: every built-in category has an English name,
// siblings' English names differ (an English reader must tell them apart),
// and a catalogue made before the catalogue had English gets it at the next
// start, except where an administrator renamed the category or gave it an
// English name of their own.
func TestCatalogueInEnglish(t *testing.T) {
	env := apptest.New(t)
	c := env.App.Catalog
	cats, err := c.Categories(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	siblings := map[int64]map[string]string{}
	for _, x := range cats {
		if x.NameEN == "" {
			t.Errorf("%s %s has no English name", x.Code, x.Name)
			continue
		}
		if siblings[x.ParentID] == nil {
			siblings[x.ParentID] = map[string]string{}
		}
		if other, dup := siblings[x.ParentID][x.NameEN]; dup {
			t.Errorf("%s and %s, siblings, are both %q in English", other, x.Name, x.NameEN)
		}
		siblings[x.ParentID][x.NameEN] = x.Name
	}
	noise, err := c.CategoryByCode(ctx, env.App.DB, "C0402003") // 噪音污染
	if err != nil {
		t.Fatal(err)
	}
	if noise.Label(i18n.EN) != noise.NameEN || noise.Label(i18n.ZH) != noise.Name {
		t.Errorf("labels of %s: %q, %q", noise.Code, noise.Label(i18n.EN), noise.Label(i18n.ZH))
	}

	// As an earlier version left it: no English anywhere; one category
	// renamed, and its parent, one translated by an administrator. The
	// renamed parent's other children are still the built-in ones.
	env.Exec(t, "UPDATE categories SET name_en = ''",
		"UPDATE categories SET name = '噪声扰民问题' WHERE code = 'C0402003'",
		"UPDATE categories SET name = '各类污染' WHERE code = 'C0402'",
		"UPDATE categories SET name_en = 'Our own words' WHERE code = 'P01'")
	created, err := c.Seed(ctx)
	if err != nil || created != 0 {
		t.Fatalf("seed an existing catalogue: %d created, %v", created, err)
	}
	after, err := c.Categories(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	translated := 0
	for i, x := range after {
		switch {
		case x.Code == "C0402003" || x.Code == "C0402":
			if x.NameEN != "" {
				t.Errorf("the renamed %s was given the built-in English %q", x.Name, x.NameEN)
			}
		case x.Code == "P01":
			if x.NameEN != "Our own words" {
				t.Errorf("the administrator's English for P01 became %q", x.NameEN)
			}
		case x.NameEN != cats[i].NameEN:
			t.Errorf("%s %s: %q after the start, %q when seeded", x.Code, x.Name, x.NameEN, cats[i].NameEN)
		default:
			translated++
		}
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "catalog.translate"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d catalog.translate records (%v)", len(recs), err)
	}
	var detail struct{ Categories int }
	if err := json.Unmarshal([]byte(recs[0].Detail), &detail); err != nil || detail.Categories != translated {
		t.Errorf("audit says %d categories translated, %d were (%s)", detail.Categories, translated, recs[0].Detail)
	}
	if c, _ := c.CategoryByCode(ctx, env.App.DB, "C0402001"); c.NameEN == "" {
		t.Errorf("%s, under a renamed parent, was left without English", c.Name)
	}
	// A second start has nothing left to translate and records nothing.
	if _, err := c.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if recs, _ := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "catalog.translate"}); len(recs) != 1 {
		t.Errorf("%d catalog.translate records after a second start", len(recs))
	}
}

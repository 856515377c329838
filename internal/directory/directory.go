// Package directory caches the small reference tables — units, categories,
// natures, user names, deadline policies — so that lists and pages can name
// things without a query per row. A snapshot lives for a short time; local
// changes flush it at once.
package directory

import (
	"context"
	"strings"
	"sync"
	"time"

	"pingan/internal/catalog"
	"pingan/internal/deadline"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// Directory hands out snapshots.
type Directory struct {
	org      *org.Service
	cat      *catalog.Service
	policies *deadline.Service

	mu     sync.Mutex
	cur    *Names
	loaded time.Time
}

// New returns a directory over the services.
func New(o *org.Service, c *catalog.Service, p *deadline.Service) *Directory {
	return &Directory{org: o, cat: c, policies: p}
}

// TTL bounds how long another node's change takes to show here.
const TTL = 30 * time.Second

// Names is one immutable snapshot.
type Names struct {
	Units    map[int64]org.Unit
	UnitList []org.Unit // tree order
	Cats     map[int64]catalog.Category
	CatList  []catalog.Category // code order, retired included
	Natures  map[string]catalog.Nature
	NatList  []catalog.Nature
	Users    map[int64]string
	Policies map[int64]deadline.Policy

	catCodes map[string]int64
}

// Flush drops the snapshot.
func (d *Directory) Flush() {
	d.mu.Lock()
	d.loaded = time.Time{}
	d.mu.Unlock()
}

// Get returns the current snapshot, reloading it when stale.
func (d *Directory) Get(ctx context.Context) (*Names, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil && time.Since(d.loaded) < TTL {
		return d.cur, nil
	}
	units, err := d.org.Units(ctx)
	if err != nil {
		return nil, err
	}
	cats, err := d.cat.Categories(ctx, true)
	if err != nil {
		return nil, err
	}
	natures, err := d.cat.Natures(ctx)
	if err != nil {
		return nil, err
	}
	users, err := d.org.Users(ctx, 0)
	if err != nil {
		return nil, err
	}
	ps, err := d.policies.Policies(ctx)
	if err != nil {
		return nil, err
	}
	n := &Names{UnitList: units, CatList: cats, NatList: natures,
		Units: make(map[int64]org.Unit, len(units)), Cats: make(map[int64]catalog.Category, len(cats)), catCodes: make(map[string]int64, len(cats)),
		Natures: make(map[string]catalog.Nature, len(natures)), Users: make(map[int64]string, len(users)),
		Policies: make(map[int64]deadline.Policy, len(ps))}
	for _, u := range units {
		n.Units[u.ID] = u
	}
	for _, c := range cats {
		n.Cats[c.ID] = c
		n.catCodes[c.Code] = c.ID
	}
	for _, x := range natures {
		n.Natures[x.Code] = x
	}
	for _, u := range users {
		n.Users[u.ID] = u.Name
	}
	for _, p := range ps {
		n.Policies[p.ID] = p
	}
	d.cur, d.loaded = n, time.Now()
	return n, nil
}

// CategoryPath names a category with its ancestors in lang: 城乡建设 / 市政 /
// 道路, or its English where the categories have it.
func (n *Names) CategoryPath(id int64, lang i18n.Lang) string {
	var parts []string
	for id != 0 && len(parts) <= catalog.MaxDepth {
		c, ok := n.Cats[id]
		if !ok {
			break
		}
		parts = append([]string{c.Label(lang)}, parts...)
		id = c.ParentID
	}
	return strings.Join(parts, " / ")
}

// CategoryByCode finds a category by its code.
func (n *Names) CategoryByCode(code string) (catalog.Category, bool) {
	c, ok := n.Cats[n.catCodes[code]]
	return c, ok
}

// UnitName names a unit ("" for none).
func (n *Names) UnitName(id int64) string { return n.Units[id].Name }

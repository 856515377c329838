package api

import (
	"context"
	"strings"
	"sync"
	"time"

	"pingan/internal/catalog"
	"pingan/internal/deadline"
	"pingan/internal/org"
)

// directory caches the small reference tables (units, categories, natures,
// user names) so that views can name things without a query per row. A
// snapshot lives for a short time; local changes flush it at once.
type directory struct {
	org      *org.Service
	cat      *catalog.Service
	policies *deadline.Service

	mu     sync.Mutex
	cur    *names
	loaded time.Time
}

// names is one immutable snapshot.
type names struct {
	units    map[int64]org.Unit
	cats     map[int64]catalog.Category
	natures  map[string]catalog.Nature
	users    map[int64]string
	policies map[int64]deadline.Policy
}

const directoryTTL = 30 * time.Second

func (d *directory) flush() {
	d.mu.Lock()
	d.loaded = time.Time{}
	d.mu.Unlock()
}

// get returns the current snapshot, reloading it when stale.
func (d *directory) get(ctx context.Context) (*names, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil && time.Since(d.loaded) < directoryTTL {
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
	n := &names{
		policies: make(map[int64]deadline.Policy, len(ps)),
		units:    make(map[int64]org.Unit, len(units)),
		cats:     make(map[int64]catalog.Category, len(cats)),
		natures:  make(map[string]catalog.Nature, len(natures)),
		users:    make(map[int64]string, len(users)),
	}
	for _, u := range units {
		n.units[u.ID] = u
	}
	for _, c := range cats {
		n.cats[c.ID] = c
	}
	for _, x := range natures {
		n.natures[x.Code] = x
	}
	for _, u := range users {
		n.users[u.ID] = u.Name
	}
	for _, p := range ps {
		n.policies[p.ID] = p
	}
	d.cur, d.loaded = n, time.Now()
	return n, nil
}

// categoryPath names a category with its ancestors: 城乡建设 / 市政 / 道路.
func (n *names) categoryPath(id int64) string {
	var parts []string
	for id != 0 && len(parts) <= catalog.MaxDepth {
		c, ok := n.cats[id]
		if !ok {
			break
		}
		parts = append([]string{c.Name}, parts...)
		id = c.ParentID
	}
	return strings.Join(parts, " / ")
}

package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
)

// DefaultVersion names the model embedded in the binary.
const DefaultVersion = "default"

// Registry keeps trained models as versions in the database (table
// models: v1, v2, …) and which one is active (model_active). Until a
// version is activated the model embedded in the binary is. Every node on
// one database sees the same versions; Live follows the active one.
type Registry struct {
	db    *db.DB
	audit *audit.Log
	now   func() time.Time
}

// ErrUnknownVersion is returned for a version the registry does not hold.
var ErrUnknownVersion = errors.New("classify: no such model version")

// NewRegistry returns the registry of a pingan database; additions and
// switches are audited in log.
func NewRegistry(d *db.DB, log *audit.Log, now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{db: d, audit: log, now: now}
}

var versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Add stores m as the next version (v1, v2, …), sets m.Info.Version to it
// and, when activate is true, makes it the active model.
func (r *Registry) Add(ctx context.Context, actor access.Actor, m *Model, activate bool) (string, error) {
	err := r.db.Write(ctx, func(tx *db.Tx) error {
		var seq int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM models").Scan(&seq); err != nil {
			return err
		}
		m.Info.Version = "v" + strconv.Itoa(seq)
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			return err
		}
		now := r.now()
		if _, err := tx.ExecContext(ctx, "INSERT INTO models (version, seq, created_at, data) VALUES ($1, $2, $3, $4)",
			m.Info.Version, seq, now.UnixMicro(), buf.Bytes()); err != nil {
			return err
		}
		if err := r.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Name, Action: "model.add",
			ObjectType: "model", ObjectID: m.Info.Version, Detail: map[string]any{"examples": m.Info.Examples,
				"weak": m.Info.Weak, "note": m.Info.Note, "bytes": buf.Len()}}); err != nil {
			return err
		}
		if activate {
			return r.activate(ctx, tx, actor, m.Info.Version, now)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store model: %w", err)
	}
	return m.Info.Version, nil
}

// Activate makes a stored version — or DefaultVersion, the embedded model —
// the active one. Activating an older version is the rollback.
func (r *Registry) Activate(ctx context.Context, actor access.Actor, version string) error {
	if _, err := r.Load(ctx, version); err != nil {
		return err
	}
	return r.db.Write(ctx, func(tx *db.Tx) error { return r.activate(ctx, tx, actor, version, r.now()) })
}

func (r *Registry) activate(ctx context.Context, tx *db.Tx, actor access.Actor, version string, now time.Time) error {
	var was string
	if err := tx.QueryRowContext(ctx, "SELECT version FROM model_active WHERE id = 1").Scan(&was); db.IsNotFound(err) {
		was = DefaultVersion
	} else if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO model_active (id, version, activated_at) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, activated_at = excluded.activated_at`,
		version, now.UnixMicro()); err != nil {
		return fmt.Errorf("activate model %s: %w", version, err)
	}
	return r.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Name, Action: "model.activate",
		ObjectType: "model", ObjectID: version, Detail: map[string]any{"was": was}})
}

// ActiveVersion returns the active version (DefaultVersion when none was
// activated).
func (r *Registry) ActiveVersion(ctx context.Context) (string, error) {
	var v string
	err := r.db.QueryRowContext(ctx, "SELECT version FROM model_active WHERE id = 1").Scan(&v)
	if db.IsNotFound(err) {
		return DefaultVersion, nil
	}
	if err != nil {
		return "", fmt.Errorf("model registry: %w", err)
	}
	return v, nil
}

// Active loads the active model.
func (r *Registry) Active(ctx context.Context) (*Model, error) {
	v, err := r.ActiveVersion(ctx)
	if err != nil {
		return nil, err
	}
	return r.Load(ctx, v)
}

// Load reads one version (DefaultVersion: the embedded model).
func (r *Registry) Load(ctx context.Context, version string) (*Model, error) {
	if version == DefaultVersion {
		return Default()
	}
	if !versionRE.MatchString(version) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownVersion, version)
	}
	var data []byte
	err := r.db.QueryRowContext(ctx, "SELECT data FROM models WHERE version = $1", version).Scan(&data)
	if db.IsNotFound(err) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownVersion, version)
	}
	if err != nil {
		return nil, fmt.Errorf("model registry: %w", err)
	}
	m, err := Load(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", version, err)
	}
	m.Info.Version = version
	m.Info.Source = "database"
	return m, nil
}

// Entry is one version in the registry's list.
type Entry struct {
	Info
	Active     bool
	Size       int64    // bytes of the model file (of the embedded one for the default)
	Categories []string // the category labels it suggests
}

// List describes the embedded default and every stored version, oldest
// first.
func (r *Registry) List(ctx context.Context) ([]Entry, error) {
	active, err := r.ActiveVersion(ctx)
	if err != nil {
		return nil, err
	}
	var out []Entry
	if d, err := Default(); err == nil {
		out = append(out, Entry{Info: d.Info, Active: active == DefaultVersion, Size: int64(len(defaultModel)), Categories: d.Labels(HeadCategory)})
	}
	rows, err := r.db.QueryContext(ctx, "SELECT version, LENGTH(data) FROM models ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("model registry: %w", err)
	}
	type stored struct {
		version string
		size    int64
	}
	var vs []stored
	for rows.Next() {
		var v stored
		if err := rows.Scan(&v.version, &v.size); err != nil {
			rows.Close()
			return nil, fmt.Errorf("model registry: %w", err)
		}
		vs = append(vs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("model registry: %w", err)
	}
	for _, v := range vs {
		m, err := r.Load(ctx, v.version)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Info: m.Info, Active: v.version == active, Size: v.size, Categories: m.Labels(HeadCategory)})
	}
	return out, nil
}

// ImportDir stores the models an earlier pingan kept as files in a data
// directory (<dir>/models/vN.model and <dir>/models/active), once: when the
// database holds no model yet. It returns how many it stored.
func (r *Registry) ImportDir(ctx context.Context, dataDir string) (int, error) {
	dir := filepath.Join(dataDir, "models")
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var have int
	if err := r.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM models").Scan(&have); err != nil || have > 0 {
		return 0, err
	}
	type file struct {
		n    int
		name string
	}
	var files []file
	for _, de := range des {
		v, ok := strings.CutSuffix(de.Name(), ".model")
		if n, num := versionNumber(v); ok && num && !de.IsDir() {
			files = append(files, file{n, de.Name()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return a.n - b.n })
	active := ""
	if b, err := os.ReadFile(filepath.Join(dir, "active")); err == nil {
		active = strings.TrimSpace(string(b))
	}
	actor := access.System("model import")
	stored := 0
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return stored, err
		}
		m, err := Load(bytes.NewReader(raw))
		if err != nil {
			return stored, fmt.Errorf("%s: %w", f.name, err)
		}
		was := strings.TrimSuffix(f.name, ".model")
		m.Info.Note = strings.TrimSpace(m.Info.Note + " (imported from " + f.name + ")")
		if _, err := r.Add(ctx, actor, m, was == active); err != nil {
			return stored, err
		}
		stored++
	}
	return stored, nil
}

func versionNumber(v string) (int, bool) {
	s, ok := strings.CutPrefix(v, "v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// Live is the model intake uses now: the registry's active one, followed
// as it changes (Watch), so that activating a version or rolling back
// reaches every node within a poll.
type Live struct {
	m atomic.Pointer[Model]
}

// Get returns the model in use (nil when none could be loaded).
func (l *Live) Get() *Model {
	if l == nil {
		return nil
	}
	return l.m.Load()
}

// Set makes m the model in use.
func (l *Live) Set(m *Model) { l.m.Store(m) }

// Follow loads the registry's active version when it is not the one in
// use, and reports whether it changed.
func (l *Live) Follow(ctx context.Context, r *Registry) (bool, error) {
	v, err := r.ActiveVersion(ctx)
	if err != nil {
		return false, err
	}
	if cur := l.Get(); cur != nil && cur.Info.Version == v {
		return false, nil
	}
	m, err := r.Load(ctx, v)
	if err != nil {
		return false, err
	}
	l.Set(m)
	return true, nil
}

// Watch follows the registry every poll until ctx ends.
func (l *Live) Watch(ctx context.Context, r *Registry, poll time.Duration, log *slog.Logger) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if changed, err := l.Follow(ctx, r); err != nil && ctx.Err() == nil {
			log.Warn("following the active classifier model", "err", err)
		} else if changed {
			log.Info("category classifier switched", "version", l.Get().Info.Version)
		}
	}
}

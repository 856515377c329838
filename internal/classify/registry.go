package classify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DefaultVersion names the model embedded in the binary.
const DefaultVersion = "default"

// Registry keeps trained models as versioned files, <dir>/<version>.model,
// and which one is active, <dir>/active. Until a version is activated the
// embedded default model is. In the product the models will live in the
// database; this file store stands in for it and has the same operations.
type Registry struct {
	dir string
}

// ErrUnknownVersion is returned for a version the registry does not hold.
var ErrUnknownVersion = errors.New("classify: no such model version")

// NewRegistry returns the registry under a pingan data directory
// (<dataDir>/models). The directory is created when a model is added.
func NewRegistry(dataDir string) *Registry {
	return &Registry{dir: filepath.Join(dataDir, "models")}
}

// Dir is where the model files are.
func (r *Registry) Dir() string { return r.dir }

var versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (r *Registry) path(version string) (string, error) {
	if !versionRE.MatchString(version) || version == DefaultVersion {
		return "", fmt.Errorf("%w: %q", ErrUnknownVersion, version)
	}
	return filepath.Join(r.dir, version+".model"), nil
}

// Add stores m as the next version (v1, v2, …), sets m.Info.Version to it
// and, when activate is true, makes it the active model.
func (r *Registry) Add(m *Model, activate bool) (string, error) {
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return "", fmt.Errorf("model registry: %w", err)
	}
	versions, err := r.versions()
	if err != nil {
		return "", err
	}
	next := 1
	for _, v := range versions {
		if n, ok := versionNumber(v); ok && n >= next {
			next = n + 1
		}
	}
	m.Info.Version = "v" + strconv.Itoa(next)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return "", err
	}
	p, _ := r.path(m.Info.Version)
	if err := writeFileAtomic(p, buf.Bytes(), false); err != nil {
		return "", fmt.Errorf("store model %s: %w", m.Info.Version, err)
	}
	if activate {
		if err := r.Activate(m.Info.Version); err != nil {
			return "", err
		}
	}
	return m.Info.Version, nil
}

// Activate makes a stored version — or DefaultVersion, the embedded model —
// the active one. Activating an older version is the rollback.
func (r *Registry) Activate(version string) error {
	if _, err := r.Load(version); err != nil {
		return err
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return fmt.Errorf("model registry: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(r.dir, "active"), []byte(version+"\n"), true); err != nil {
		return fmt.Errorf("activate model %s: %w", version, err)
	}
	return nil
}

// ActiveVersion returns the active version (DefaultVersion when none was
// activated).
func (r *Registry) ActiveVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, "active"))
	if errors.Is(err, os.ErrNotExist) {
		return DefaultVersion, nil
	}
	if err != nil {
		return "", fmt.Errorf("model registry: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Active loads the active model.
func (r *Registry) Active() (*Model, error) {
	v, err := r.ActiveVersion()
	if err != nil {
		return nil, err
	}
	return r.Load(v)
}

// Load reads one version (DefaultVersion: the embedded model).
func (r *Registry) Load(version string) (*Model, error) {
	if version == DefaultVersion {
		return Default()
	}
	p, err := r.path(version)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownVersion, version)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", version, err)
	}
	m.Info.Version = version
	m.Info.Source = p
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
func (r *Registry) List() ([]Entry, error) {
	active, err := r.ActiveVersion()
	if err != nil {
		return nil, err
	}
	versions, err := r.versions()
	if err != nil {
		return nil, err
	}
	var out []Entry
	if d, err := Default(); err == nil {
		out = append(out, Entry{Info: d.Info, Active: active == DefaultVersion, Size: int64(len(defaultModel)), Categories: d.Labels(HeadCategory)})
	}
	for _, v := range versions {
		m, err := r.Load(v)
		if err != nil {
			return nil, err
		}
		e := Entry{Info: m.Info, Active: v == active, Categories: m.Labels(HeadCategory)}
		if st, err := os.Stat(m.Info.Source); err == nil {
			e.Size = st.Size()
		}
		out = append(out, e)
	}
	return out, nil
}

// versions returns the stored versions in order (v2 before v10).
func (r *Registry) versions() ([]string, error) {
	des, err := os.ReadDir(r.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("model registry: %w", err)
	}
	var vs []string
	for _, de := range des {
		if v, ok := strings.CutSuffix(de.Name(), ".model"); ok && !de.IsDir() && versionRE.MatchString(v) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b string) int {
		na, oka := versionNumber(a)
		nb, okb := versionNumber(b)
		if oka && okb {
			return na - nb
		}
		return strings.Compare(a, b)
	})
	return vs, nil
}

func versionNumber(v string) (int, bool) {
	s, ok := strings.CutPrefix(v, "v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// writeFileAtomic writes a file by renaming a synced temporary file over
// it, so readers see the old content or the new, never a part. Unless
// replace is set it refuses to overwrite.
func writeFileAtomic(path string, data []byte, replace bool) error {
	if !replace {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s exists", path)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}

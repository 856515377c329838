package classify

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/dbtest"
	"pingan/internal/secret"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ＡＢＣ１２３ａ", "abc0a"},
		{"电话13806012345，2019年", "电话0,0年"},
		{"  多个\n\t空格　　之后", " 多个 空格 之后"},
		{"OK\x00", "ok"},
	} {
		if got := string(runesOf(nil, tc.in)); got != tc.want {
			t.Errorf("runesOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestHashing pins the hashing: a model file stores weights by bucket, so
// a change here would silently break every saved model.
func TestHashing(t *testing.T) {
	f := DefaultFeatures
	a := f.counts("小区噪音", "小区楼下烧烤店噪音扰民到凌晨")
	b := f.counts("小区噪音", "小区楼下烧烤店噪音扰民到凌晨")
	if !slices.Equal(a, b) {
		t.Fatal("the same message hashed differently")
	}
	// Subject: 4 unigrams + 3 bigrams; body: 14 unigrams + 13 bigrams.
	if len(a) != 7+14+13 {
		t.Errorf("got %d features, want 34", len(a))
	}
	s := getScratch(f.Bits)
	defer scratchPool.Put(s)
	f.hashText(s, "城", nsBody)
	got := s.touched[0]
	for _, b := range s.touched {
		s.cell[b] = 0
	}
	s.touched = s.touched[:0]
	const want = 162913
	if got != want {
		t.Errorf("bucket of 城 in the body = %d, want %d (changing the hashing invalidates saved models)", got, want)
	}
	// The subject is its own namespace.
	sub := f.counts("噪音", "")
	body := f.counts("", "噪音")
	if sub[0].idx == body[0].idx {
		t.Error("subject and body n-grams share a bucket")
	}
}

// goldModel is a model trained on the gold messages only, with made-up
// natures on some of them so that the nature head is exercised: quick to
// train, for the tests that need some model.
var goldModel struct {
	sync.Once
	m   *Model
	err error
}

func fixedNow() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }

// quick are options for tests that need a model but not a good one: a
// small hashed space and few passes keep them fast under the race detector.
func quick(o TrainOptions) TrainOptions {
	o.Features = DefaultFeatures
	o.Features.Bits = 14
	o.maxEpochs = 15
	o.Now = fixedNow
	return o
}

func testModel(t *testing.T) (*Model, []Example) {
	t.Helper()
	gold, _ := sharedExamples(t)
	goldModel.Do(func() {
		var extra []Example
		for _, e := range gold[:120] {
			n := "suggestion"
			switch {
			case strings.Contains(e.Subject, "投诉"), strings.Contains(e.Subject, "举报"):
				n = "complaint"
			case strings.Contains(e.Subject, "？"), strings.Contains(e.Subject, "咨询"):
				n = "consultation"
			}
			extra = append(extra, Example{Subject: e.Subject, Body: e.Body, Nature: n})
		}
		goldModel.m, goldModel.err = Train(gold, quick(TrainOptions{Extra: extra, CalibrationFolds: 2}))
	})
	if goldModel.err != nil {
		t.Fatal(goldModel.err)
	}
	return goldModel.m, gold
}

func TestReadExamples(t *testing.T) {
	in := `{"id": 1, "subject": "s1", "body": "b1", "label": "城乡建设"}
{"id": 2, "subject": "s2", "body": "b2", "label_weak": "交通运输"}

{"subject": "s3", "body": "b3", "nature": "complaint"}
{"subject": "s4", "body": "b4"}
`
	ex, err := ReadExamples(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Subject: "s1", Body: "b1", Category: "城乡建设"},
		{Subject: "s2", Body: "b2", Category: "交通运输", Weak: true},
		{Subject: "s3", Body: "b3", Nature: "complaint"},
	}
	if !slices.Equal(ex, want) {
		t.Errorf("got %+v, want %+v", ex, want)
	}
	if _, err := ReadExamples(strings.NewReader("{not json\n")); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestPredict(t *testing.T) {
	m, gold := testModel(t)
	if got := m.Labels(HeadCategory); len(got) != 7 {
		t.Fatalf("category labels %v, want the 7 of the gold file", got)
	}
	if got := m.Labels(HeadNature); !slices.Equal(got, []string{"complaint", "consultation", "suggestion"}) {
		t.Errorf("nature labels %v", got)
	}
	for _, e := range gold[:50] {
		s := m.Suggest(e.Subject, e.Body)
		for _, h := range [][]Suggestion{s.Category, s.Nature} {
			var sum float64
			for i, x := range h {
				sum += x.Confidence
				if i > 0 && x.Confidence > h[i-1].Confidence {
					t.Fatalf("suggestions not sorted: %+v", h)
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("confidences add up to %v", sum)
			}
		}
	}
	// Trained on the gold messages, the model knows them.
	if r := m.Evaluate(gold).Category; r.Accuracy < 0.95 {
		t.Errorf("accuracy on its own training data %.3f", r.Accuracy)
	}
	// An empty message gets the prior, not a crash.
	if s := m.Predict("", ""); len(s) != 7 {
		t.Errorf("empty message: %+v", s)
	}
}

func TestSaveLoad(t *testing.T) {
	m, gold := testModel(t)
	var a, b bytes.Buffer
	if err := m.Save(&a); err != nil {
		t.Fatal(err)
	}
	l, err := Load(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Save(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("saving a loaded model gives different bytes")
	}
	if l.Info != m.Info {
		t.Errorf("info %+v, want %+v", l.Info, m.Info)
	}
	for _, e := range gold {
		if x, y := m.Suggest(e.Subject, e.Body), l.Suggest(e.Subject, e.Body); !slices.Equal(x.Category, y.Category) || !slices.Equal(x.Nature, y.Nature) {
			t.Fatalf("prediction changed by save and load: %+v vs %+v", x, y)
		}
	}
	for _, bad := range [][]byte{nil, []byte("PACLSMDL"), []byte("not a model at all"), a.Bytes()[:a.Len()/2]} {
		if _, err := Load(bytes.NewReader(bad)); !errors.Is(err, ErrFormat) {
			t.Errorf("Load(%d bytes) = %v, want ErrFormat", len(bad), err)
		}
	}
}

// TestDeterministic: the same data and options give the same model file.
func TestDeterministic(t *testing.T) {
	gold, _ := sharedExamples(t)
	var files [2][]byte
	for i, workers := range []int{1, 2} {
		m, err := Train(gold[:150], quick(TrainOptions{Workers: workers, Version: "x"}))
		if err != nil {
			t.Fatal(err)
		}
		m.Info.Training = ""
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		files[i] = buf.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("training twice gave different models")
	}
	if _, err := Train(nil, TrainOptions{}); !errors.Is(err, ErrNoData) {
		t.Errorf("training on nothing: %v", err)
	}
}

func TestDefault(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Labels(HeadCategory); len(got) != 7 || !slices.Contains(got, "环境保护") {
		t.Errorf("default model labels %v", got)
	}
	if m.Info.Version != DefaultVersion || m.Info.Examples < 3000 {
		t.Errorf("default model info %+v", m.Info)
	}
	if len(defaultModel) > 5<<20 {
		t.Errorf("default model is %d bytes, over 5 MiB", len(defaultModel))
	}
	for _, tc := range []struct{ subject, body, want string }{
		{"小区旁工地夜间施工噪音扰民", "A市A1区某小区旁边的工地每天晚上十一点以后还在施工，噪音很大，严重影响居民休息。", "环境保护"},
		{"公司拖欠工资三个月", "我在A2区一家公司上班，公司已经三个月没有发工资，也没有给我们缴纳社保，请劳动部门帮忙。", "劳动和社会保障"},
		{"公交车站点设置不合理", "A市3路公交车站点离小区太远，线路绕行，希望交通部门调整线路和站点。", "交通运输"},
		{"孩子上学难", "我家孩子今年上小学，户口在A3区，但是划片的学校不接收，请教育局解决入学问题。", "教育文体"},
	} {
		s := m.Predict(tc.subject, tc.body)
		if s[0].Label != tc.want {
			t.Errorf("%s: suggested %+v, want %s", tc.subject, s[:2], tc.want)
		}
	}
}

// The registry keeps versions in the database: adding, activating, rolling
// back, listing; a bad version or a corrupt row is refused; every change is
// audited; Live follows the active version.
func TestRegistry(t *testing.T) {
	ctx := context.Background()
	m, gold := testModel(t)
	d := dbtest.Open(t)
	keys, err := secret.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry(d, audit.New(keys, nil), nil)
	actor := access.System("test")
	if v, err := reg.ActiveVersion(ctx); err != nil || v != DefaultVersion {
		t.Fatalf("fresh registry: active %q, %v", v, err)
	}
	if a, err := reg.Active(ctx); err != nil || a.Info.Version != DefaultVersion {
		t.Fatalf("fresh registry: active model %v", err)
	}
	var live Live
	if changed, err := live.Follow(ctx, reg); err != nil || !changed || live.Get().Info.Version != DefaultVersion {
		t.Fatalf("live: %v %v", changed, err)
	}
	v1, err := reg.Add(ctx, actor, m, true)
	if err != nil || v1 != "v1" {
		t.Fatalf("add: %q, %v", v1, err)
	}
	m2, err := Train(gold[:200], quick(TrainOptions{CalibrationFolds: -1}))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := reg.Add(ctx, actor, m2, true)
	if err != nil || v2 != "v2" {
		t.Fatalf("add: %q, %v", v2, err)
	}
	v3, err := reg.Add(ctx, actor, m2, false)
	if err != nil || v3 != "v3" {
		t.Fatalf("add without activating: %q, %v", v3, err)
	}
	active := func(want string) {
		t.Helper()
		v, err := reg.ActiveVersion(ctx)
		if err != nil || v != want {
			t.Fatalf("active %q (%v), want %q", v, err, want)
		}
		a, err := reg.Active(ctx)
		if err != nil || a.Info.Version != want {
			t.Fatalf("active model %v", err)
		}
		if _, err := live.Follow(ctx, reg); err != nil || live.Get().Info.Version != want {
			t.Fatalf("live follows %v (%v), want %s", live.Get().Info.Version, err, want)
		}
	}
	active("v2")
	if err := reg.Activate(ctx, actor, "v1"); err != nil { // rollback
		t.Fatal(err)
	}
	active("v1")
	if changed, err := live.Follow(ctx, reg); err != nil || changed {
		t.Errorf("following an unchanged version reloaded it: %v %v", changed, err)
	}
	a, _ := reg.Active(ctx)
	e := gold[300]
	if x, y := a.Predict(e.Subject, e.Body), m.Predict(e.Subject, e.Body); !slices.Equal(x, y) {
		t.Error("the rolled-back version predicts differently from the model stored")
	}
	list, err := reg.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range list {
		s := en.Version
		if en.Active {
			s += "*"
		}
		if en.Size <= 0 {
			t.Errorf("%s: size %d", en.Version, en.Size)
		}
		got = append(got, s)
	}
	if want := []string{"default", "v1*", "v2", "v3"}; !slices.Equal(got, want) {
		t.Errorf("list %v, want %v", got, want)
	}
	for _, bad := range []string{"v9", "../v1", "", "v1/../v2"} {
		if err := reg.Activate(ctx, actor, bad); !errors.Is(err, ErrUnknownVersion) {
			t.Errorf("activate %q: %v, want ErrUnknownVersion", bad, err)
		}
	}
	active("v1")
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO models (version, seq, created_at, data) VALUES ('v4', 4, 0, $1)", []byte("garbage"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Activate(ctx, actor, "v4"); !errors.Is(err, ErrFormat) {
		t.Errorf("activating a corrupt model: %v", err)
	}
	if err := reg.Activate(ctx, actor, DefaultVersion); err != nil {
		t.Fatal(err)
	}
	active(DefaultVersion)
	var adds, switches int
	if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FILTER (WHERE action = 'model.add'), COUNT(*) FILTER (WHERE action = 'model.activate') FROM audit_log").
		Scan(&adds, &switches); err != nil {
		t.Fatal(err)
	}
	if adds != 3 || switches != 4 {
		t.Errorf("audited %d additions and %d switches, want 3 and 4", adds, switches)
	}
}

// A data directory of an earlier pingan (models kept as files) is imported
// once, with its active version.
func TestImportDir(t *testing.T) {
	ctx := context.Background()
	m, _ := testModel(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "models"), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"v1.model", "v2.model"} {
		if err := os.WriteFile(filepath.Join(dir, "models", f), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "models", "active"), []byte("v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, _ := secret.New(bytes.Repeat([]byte{7}, 32))
	reg := NewRegistry(dbtest.Open(t), audit.New(keys, nil), nil)
	for i, want := range []int{2, 0} { // the second time: nothing
		n, err := reg.ImportDir(ctx, dir)
		if err != nil || n != want {
			t.Fatalf("import %d: %d models (%v), want %d", i, n, err, want)
		}
	}
	if v, err := reg.ActiveVersion(ctx); err != nil || v != "v1" {
		t.Errorf("active after the import: %q %v", v, err)
	}
}

func TestScore(t *testing.T) {
	// Checked against sklearn.metrics.classification_report.
	truth := []string{"a", "a", "a", "b", "b", "c"}
	pred := []string{"a", "a", "b", "b", "c", "d"}
	r := Score(truth, pred)
	want := map[string][3]float64{"a": {1, 2.0 / 3, 0.8}, "b": {0.5, 0.5, 0.5}, "c": {0, 0, 0}, "d": {0, 0, 0}}
	for _, c := range r.Classes {
		w := want[c.Label]
		if math.Abs(c.Precision-w[0]) > 1e-9 || math.Abs(c.Recall-w[1]) > 1e-9 || math.Abs(c.F1-w[2]) > 1e-9 {
			t.Errorf("%s: %+v, want %v", c.Label, c, w)
		}
	}
	if math.Abs(r.MacroF1-0.325) > 1e-9 || math.Abs(r.Accuracy-0.5) > 1e-9 {
		t.Errorf("macro-F1 %v accuracy %v", r.MacroF1, r.Accuracy)
	}
	var buf bytes.Buffer
	if err := (Evaluation{Category: r}).Write(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if last := lines[len(lines)-1]; last != "macro-F1 0.325" {
		t.Errorf("last line %q\n%s", last, buf.String())
	}
}

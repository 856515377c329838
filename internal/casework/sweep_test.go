package casework_test

import (
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
)

// Housekeeping forgets idempotency keys past their retention and deletes
// uploads no attachment took once their grace has passed; it keeps keys
// still answering retries, files attached to a case and fresh uploads,
// and audits what it deleted.
func TestSweepRemovesWhatServedItsTime(t *testing.T) {
	env := apptest.New(t)
	intake := env.Actor(t, "intake")
	take := func(key string, files ...casework.AttachmentInput) {
		t.Helper()
		if _, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "web", Body: "小区路灯不亮 " + key,
			IdempotencyKey: key, Attachments: files}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(content string) string {
		t.Helper()
		d, err := env.App.Cases.PutBlob(ctx, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := env.App.DB.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	take("old-key")
	env.Clock.Advance(6 * 24 * time.Hour)
	orphan := put("照片：上传后来件被拒")
	again := put("照片：再次上传")
	attached := put("照片：路灯")
	take("attached-key", casework.AttachmentInput{Name: "路灯.jpg", ContentType: "image/jpeg", Size: int64(len("照片：路灯")), SHA256: attached})
	env.Clock.Advance(36 * time.Hour)
	fresh := put("照片：刚上传")
	put("照片：再次上传") // the grace counts from the latest upload
	take("new-key")

	swept, err := env.App.Cases.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if swept.Keys != 1 || swept.Blobs != 1 {
		t.Errorf("swept %+v, want 1 key and 1 file", swept)
	}
	for key, want := range map[string]int{"old-key": 0, "attached-key": 1, "new-key": 1} {
		if n := count("SELECT COUNT(*) FROM idempotency_keys WHERE key = $1", key); n != want {
			t.Errorf("idempotency key %s: %d rows, want %d", key, n, want)
		}
	}
	for name, c := range map[string]struct {
		digest string
		want   int
	}{"unattached": {orphan, 0}, "attached": {attached, 1}, "fresh": {fresh, 1}, "uploaded again": {again, 1}} {
		if n := count("SELECT COUNT(*) FROM attachment_blobs WHERE sha256 = $1", c.digest); n != c.want {
			t.Errorf("%s file: %d rows, want %d", name, n, c.want)
		}
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "database"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("audit: %+v (%v)", recs, err)
	}
	for _, r := range recs {
		if r.Action != "housekeeping.sweep" || r.Detail != `{"deleted":1}` {
			t.Errorf("audit record %s %s %s, want housekeeping.sweep of 1", r.Action, r.ObjectID, r.Detail)
		}
	}
	// Nothing left to do: no second record.
	if swept, err := env.App.Cases.Sweep(ctx); err != nil || swept != (casework.Swept{}) {
		t.Errorf("second sweep: %+v (%v)", swept, err)
	}
	if recs, _ := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "database"}); len(recs) != 2 {
		t.Errorf("%d housekeeping records after an empty sweep, want 2", len(recs))
	}
}

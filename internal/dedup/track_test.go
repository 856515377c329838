package dedup_test

import (
	"testing"
	"time"

	"pingan/internal/db"
	"pingan/internal/dbtest"
	"pingan/internal/dedup"
)

// Track files only the net effect of a batch's changes: a case opened and
// closed in one batch is never filed, a case retitled twice is filed under
// its last title, and a later batch's change replaces what an earlier one
// filed.
func TestTrackFilesTheNetEffect(t *testing.T) {
	d := dbtest.Open(t)
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	doc := func(id int64, title string, open bool) dedup.Doc {
		return dedup.Doc{CaseID: id, Title: title, Address: "思明区莲前街道莲前西路", DivisionCode: "350203", ReceivedAt: at, Open: open}
	}
	filed := func(id int64) int {
		t.Helper()
		var n int
		if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM repeat_grams WHERE case_id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	track := func(changes ...[2]dedup.Doc) {
		t.Helper()
		if err := d.Write(ctx, func(tx *db.Tx) error {
			for _, c := range changes {
				if err := dedup.Track(ctx, tx, c[0], c[1]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// 夜间施工噪音 has five bigrams; 垃圾清运不及时 six.
	track([2]dedup.Doc{{}, doc(1, "夜间施工噪音", true)}, [2]dedup.Doc{doc(1, "夜间施工噪音", true), doc(1, "夜间施工噪音", false)},
		[2]dedup.Doc{{}, doc(2, "夜间施工噪音", true)}, [2]dedup.Doc{doc(2, "夜间施工噪音", true), doc(2, "垃圾清运不及时", true)})
	if filed(1) != 0 || filed(2) != 6 {
		t.Fatalf("after one batch: case 1 filed under %d bigrams (want 0), case 2 under %d (want 6)", filed(1), filed(2))
	}
	track([2]dedup.Doc{doc(2, "垃圾清运不及时", true), doc(2, "夜间施工噪音", true)})
	if filed(2) != 5 {
		t.Fatalf("retitled in a later batch: filed under %d bigrams, want 5", filed(2))
	}
	track([2]dedup.Doc{doc(2, "夜间施工噪音", true), doc(2, "夜间施工噪音", false)})
	if filed(2) != 0 {
		t.Fatalf("closed: still filed under %d bigrams", filed(2))
	}
}

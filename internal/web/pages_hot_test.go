package web_test

import (
	"net/http"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// The hot-issue page's 地点 is the place its cases share, or when they name
// several the one most name and 等: the complaint from 龙山社区 twice and
// 内厝澳社区 once is not labelled 内厝澳社区, nor 龙山社区 alone.
func TestHotPagePlaceIsTheCasesPlace(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "supervisor")
	for i, place := range []string{"龙山社区", "内厝澳社区", "龙山社区"} {
		take(t, env, casework.ReportInput{Title: place + "群租房存在安全隐患",
			Body:         place + "3号楼有一套房子被二房东隔成了十几个小单间，电线乱拉，一旦着火后果不堪设想。",
			ReporterName: "居民", ReporterPhone: "1380601100" + string(rune('0'+i)), DivisionCode: "350203011"})
	}
	p := signedIn(t, env, "supervisor").get("/hot")
	if p.Status != http.StatusOK {
		t.Fatalf("/hot: %d", p.Status)
	}
	mustContain(t, p, `<td data-label="地点/人群">龙山社区等</td>`)
	mustNotContain(t, p, `<td data-label="地点/人群">内厝澳社区</td>`, `<td data-label="地点/人群">龙山社区</td>`)
}

package web_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pingan/internal/apptest"
	"pingan/internal/demo"
	"pingan/internal/division"
)

// The wall display (大屏) in a real browser fills one 16:9 screen without
// scrolling at the common sizes: every chart drawn to fit its cell, the
// map of the districts whole and at its shape (longitude shrunk by the
// cosine of Xiamen's latitude), the words light on its navy.
func TestBrowserDashboardWall(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "leader")
	if err := demo.LoadCases(context.Background(), env.App, 800, 30, 21, nil); err != nil {
		t.Fatal(err)
	}
	// The districts' outlines, whose corners the map must show.
	minLon, maxLon, minLat, maxLat := 180.0, -180.0, 90.0, -90.0
	for _, b := range division.Boundaries() {
		for _, p := range b.Polygons {
			for _, pt := range p[0] {
				minLon, maxLon = min(minLon, pt[0]), max(maxLon, pt[0])
				minLat, maxLat = min(minLat, pt[1]), max(maxLat, pt[1])
			}
		}
	}
	shape := (maxLon - minLon) * math.Cos((minLat+maxLat)/2*math.Pi/180) / (maxLat - minLat)

	// fitted is empty once every chart has drawn at its cell's size (the
	// map with its outlines); else what is not yet.
	fitted := `(function () {
		var out = [];
		document.querySelectorAll("#dash .chart").forEach(function (el) {
			var c = echarts.getInstanceByDom(el), canvas = el.querySelector("canvas");
			if (!c || !canvas) { out.push(el.id + " not drawn"); return; }
			if (el.clientWidth < 160 || el.clientHeight < 120) out.push(el.id + " " + el.clientWidth + "×" + el.clientHeight);
			if (Math.abs(canvas.clientWidth - el.clientWidth) > 1 || Math.abs(canvas.clientHeight - el.clientHeight) > 1)
				out.push(el.id + " drawn " + canvas.clientWidth + "×" + canvas.clientHeight + " in " + el.clientWidth + "×" + el.clientHeight);
		});
		var m = echarts.getInstanceByDom(document.getElementById("chart-map"));
		if (!m || !m.getOption().series || !m.getOption().series.length) out.push("no map");
		return out.join("; ");
	})()`
	// layout measures the page against the window and the map's corners
	// in it.
	layout := fmt.Sprintf(`(function () {
		var el = document.getElementById("chart-map"), r = el.getBoundingClientRect();
		var c = echarts.getInstanceByDom(el);
		var nw = c.convertToPixel({ seriesIndex: 0 }, [%[1]f, %[4]f]), se = c.convertToPixel({ seriesIndex: 0 }, [%[2]f, %[3]f]);
		return [document.documentElement.scrollHeight, document.documentElement.scrollWidth, window.innerHeight, window.innerWidth,
			r.top, r.left, r.bottom, r.right, nw[0], nw[1], se[0], se[1], el.clientWidth, el.clientHeight,
			c.getOption().series[0].aspectScale];
	})()`, minLon, maxLon, minLat, maxLat)

	u.signIn("leader")
	for _, size := range []struct {
		w, h int64
		shot string
	}{{1920, 1080, "dashboard-wall"}, {1366, 768, ""}, {2560, 1440, ""}} {
		at := fmt.Sprintf("%d×%d", size.w, size.h)
		u.run(at, chromedp.EmulateViewport(size.w, size.h))
		u.open("/dashboard?wall=1")
		for deadline := time.Now().Add(20 * time.Second); ; {
			got, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](fitted))
			if err == nil && got == "" {
				break
			}
			if time.Now().After(deadline) {
				u.check(at)
				t.Fatalf("the wall display at %s: %s (%v)", at, got, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if wall := get(u, "wall", chromedp.Evaluate[bool](`document.body.classList.contains("wall")`)); !wall {
			t.Fatal("?wall=1 did not switch to the wall display")
		}
		m := get(u, "layout", chromedp.Evaluate[[]float64](layout))
		docH, docW, winH, winW := m[0], m[1], m[2], m[3]
		top, left, bottom, right := m[4], m[5], m[6], m[7]
		nwX, nwY, seX, seY, mapW, mapH, aspect := m[8], m[9], m[10], m[11], m[12], m[13], m[14]
		if docH > winH || docW > winW {
			t.Errorf("at %s the wall display is %.0f×%.0f: it scrolls", at, docW, docH)
		}
		if top < 0 || left < 0 || bottom > winH || right > winW {
			t.Errorf("at %s the map's card lies at %.0f,%.0f–%.0f,%.0f, off the screen", at, left, top, right, bottom)
		}
		if nwX < 0 || nwY < 0 || seX > mapW || seY > mapH {
			t.Errorf("at %s the districts are drawn from %.0f,%.0f to %.0f,%.0f in a map of %.0f×%.0f", at, nwX, nwY, seX, seY, mapW, mapH)
		}
		if got := (seX - nwX) / (seY - nwY); math.Abs(got/shape-1) > 0.02 || math.Abs(aspect-0.91) > 0.01 {
			t.Errorf("at %s the districts are drawn %.3f wide to high (aspect scale %.3f), at their shape %.3f", at, got, aspect, shape)
		}
		// On the wall's navy the words are light.
		ink := get(u, "wall ink", chromedp.Evaluate[string](
			`echarts.getInstanceByDom(document.getElementById("chart-days")).getOption().xAxis[0].axisLabel.color`))
		if !strings.EqualFold(ink, "#e6edf5") {
			t.Errorf("at %s the wall display's axis labels are %q", at, ink)
		}
		u.check("wall display at " + at)
		if size.shot != "" {
			u.run("drawn", chromedp.Sleep(1500*time.Millisecond)) // the charts' animation over
			u.screenshotWindow(size.shot)
		}
	}
}

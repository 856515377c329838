package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/server"
)

func TestProbesAndMetrics(t *testing.T) {
	env := apptest.New(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/": "pingan"} {
		r := env.Do(t, "GET", path, "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: security or request-id headers missing: %v", path, r.Header)
		}
	}
	env.Do(t, "GET", "/api/v1/cases", "dispatcher", nil)
	env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "web", "body": "路灯不亮"})
	r := env.Do(t, "GET", "/metrics", "", nil)
	for _, want := range []string{
		`pingan_http_requests_total{code="200",method="GET",route="GET /api/v1/cases"} 1`,
		`pingan_http_request_duration_seconds_bucket{method="POST",route="POST /api/v1/reports"`,
		"pingan_db_commits_total", "pingan_db_writes_total", "go_goroutines",
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Raw paths never become labels.
	env.Do(t, "GET", "/api/v1/cases/XM-2026-000001", "dispatcher", nil)
	r = env.Do(t, "GET", "/metrics", "", nil)
	if strings.Contains(string(r.Body), "XM-2026-000001") {
		t.Error("a case number leaked into metric labels")
	}
}

// Shutdown lets requests in flight finish: every request either gets its
// whole answer or is refused before it starts, and Run returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	env := apptest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- server.New(env.App).Run(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/api/v1/reports"
	token := env.User(t, "intake").Token
	var mu sync.Mutex
	created := 0
	var wg sync.WaitGroup
	stop := time.Now().Add(400 * time.Millisecond)
	for w := range 8 {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{}}
			for i := 0; ; i++ {
				if time.Now().After(stop) {
					cancel()
				}
				req, _ := http.NewRequest("POST", url, strings.NewReader(fmt.Sprintf(`{"channel":"web","body":"第%d-%d件"}`, w, i)))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					return // refused: the server has stopped accepting
				}
				body, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if rerr != nil || (resp.StatusCode != 201 && resp.StatusCode != 503) {
					t.Errorf("answer cut short or failed: %d %v %s", resp.StatusCode, rerr, body)
					return
				}
				if resp.StatusCode == 201 {
					mu.Lock()
					created++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	var stored int
	if err := env.App.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM reports").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if created == 0 || stored != created {
		t.Errorf("%d reports acknowledged, %d stored", created, stored)
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pingan/internal/db"
	"pingan/internal/dbtest"
)

// buildBinary compiles pingan once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pingan-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pingan")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// node is a pingan server process.
type node struct {
	cmd  *exec.Cmd
	addr string
}

var addrRE = regexp.MustCompile(`addr=http://([0-9.:]+)`)

func start(t *testing.T, bin string, env []string, args ...string) *node {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &node{cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case n.addr = <-found:
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return n
}

func run(t *testing.T, bin string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pingan %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

type intakeResult struct {
	status int
	number string // the report's id
}

func post(client *http.Client, addr, token, key string, i int) (intakeResult, error) {
	body := fmt.Sprintf(`{"channel":"hotline","title":"崩溃测试 %d","body":"思明区莲前西路某小区楼下烧烤店油烟扰民（%s）"}`, i, key)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/reports", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return intakeResult{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return intakeResult{}, err
	}
	var out struct {
		Report struct {
			ID int64 `json:"id"`
		} `json:"report"`
	}
	_ = json.Unmarshal(b, &out)
	// The report, not the case: a near-exact repeat of another report is
	// merged into that one's case (the report still opens a case of its
	// own, merged at once).
	return intakeResult{status: resp.StatusCode, number: fmt.Sprint(out.Report.ID)}, nil
}

// TestCrashKeepsAcknowledgedReports kills the server with SIGKILL in the
// middle of a stream of intake requests, restarts it, and checks that every
// acknowledged report is there exactly once — by retrying every request with
// its idempotency key (an acknowledged one must come back as the same
// report) and by counting what is stored.
func TestCrashKeepsAcknowledgedReports(t *testing.T) {
	bin, env, cfg := binaryFor(t, "info")
	out := run(t, bin, env, "", "user", "create", "--username", "crash", "--name", "崩溃测试", "--unit", "HOTLINE-350200",
		"--roles", "intake", "--token", "crash")
	m := regexp.MustCompile(`pa_[A-Za-z0-9_-]+`).FindString(out)
	if m == "" {
		t.Fatalf("no token in %q", out)
	}
	token := m

	n1 := start(t, bin, env)
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	acked := map[string]string{} // key → case number
	sent := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("crash-%d-%d", w, i)
				mu.Lock()
				sent[key] = w*1000000 + i
				mu.Unlock()
				r, err := post(client, n1.addr, token, key, i)
				if err != nil {
					return // the server is gone
				}
				if r.status == http.StatusCreated {
					mu.Lock()
					acked[key] = r.number
					mu.Unlock()
				}
			}
		})
	}
	// Kill it mid-stream, once a fair number of reports are acknowledged
	// (how soon depends on the machine's load).
	for wait := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 100 || time.Now().After(wait) {
			break
		}
	}
	if err := n1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = n1.cmd.Wait()
	cancel()
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d reports acknowledged before the kill", len(acked))
	}

	n2 := start(t, bin, env)
	// Retry everything that was sent, acknowledged or not.
	numbers := map[string]string{}
	for key, i := range sent {
		r, err := post(client, n2.addr, token, key, i%1000000)
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("retry %s after restart: %v %d", key, err, r.status)
		}
		numbers[key] = r.number
		if want, ok := acked[key]; ok && r.number != want {
			t.Errorf("acknowledged %s was report %s, after the crash it is %s", key, want, r.number)
		}
	}
	distinct := map[string]bool{}
	for _, n := range numbers {
		if distinct[n] {
			t.Errorf("report %s stored twice", n)
		}
		distinct[n] = true
	}
	// Stop gracefully, then count what is stored: one case and one report
	// per key sent, none twice.
	if err := n2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := n2.cmd.Wait(); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	d := dbtest.OpenConfig(t, cfg)
	var cases, reports, keys int
	if err := d.QueryRowContext(context.Background(), `SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM reports),
		(SELECT COUNT(*) FROM idempotency_keys)`).Scan(&cases, &reports, &keys); err != nil {
		t.Fatal(err)
	}
	if cases != len(sent) || reports != len(sent) || keys != len(sent) {
		t.Errorf("stored %d cases, %d reports, %d keys for %d distinct requests", cases, reports, keys, len(sent))
	}
	out = run(t, bin, env, "", "audit", "verify")
	if !strings.Contains(out, "intact") {
		t.Errorf("audit after crash: %s", out)
	}
	t.Logf("%d requests sent, %d acknowledged before SIGKILL; all present once after restart", len(sent), len(acked))
}

// TestCrashFiresEachTimerOnce loads generated cases whose clocks ran out
// while no pingan was running, starts a node (which fires the due timers at
// once), kills it with SIGKILL in the middle of that, starts it again and
// checks that every due timer fired, and none twice: each overdue case has
// exactly one automatic supervision order.
func TestCrashFiresEachTimerOnce(t *testing.T) {
	bin, env, d := generated(t, 3000, 120, "info")
	count := func(q string) int {
		t.Helper()
		var n int
		if err := d.QueryRowContext(context.Background(), q, time.Now().UnixMicro()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const due = "SELECT COUNT(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1"
	before := count(due)
	overdue := count("SELECT COUNT(*) FROM timers WHERE kind = 'case.overdue' AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1")
	if before < 50 || overdue < 20 {
		t.Fatalf("only %d due timers (%d overdue) to fire", before, overdue)
	}
	n1 := start(t, bin, env)
	// Kill it once it has fired some but (very likely) not all.
	for deadline := time.Now().Add(30 * time.Second); count(due) == before && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if err := n1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = n1.cmd.Wait()
	left := count(due)
	if left == 0 || left == before {
		t.Fatalf("%d of %d due timers left at the kill: the node was not killed while firing", left, before)
	}
	start(t, bin, env)
	for deadline := time.Now().Add(60 * time.Second); count(due) > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(due); n != 0 {
		t.Fatalf("%d due timers never fired after the restart", n)
	}
	orders := count("SELECT COUNT(*) FROM supervision_orders WHERE automatic AND level = 1 AND issued_at <= $1")
	doubled := count(`SELECT COUNT(*) FROM (SELECT case_id FROM supervision_orders WHERE automatic AND level = 1 AND issued_at <= $1
		GROUP BY case_id HAVING COUNT(*) > 1) x`)
	if orders != overdue || doubled != 0 {
		t.Errorf("%d overdue cases got %d automatic orders (%d cases twice)", overdue, orders, doubled)
	}
	// Nothing a timer does happened twice: no case's timeline holds its
	// warning, or its supervision order, more than once.
	for _, action := range []string{"warn", "supervise"} {
		twice := count(`SELECT COUNT(*) FROM (SELECT case_id FROM timeline WHERE action = '` + action + `' AND at <= $1
			GROUP BY case_id HAVING COUNT(*) > 1) x`)
		if twice != 0 {
			t.Errorf("%d cases have their %q entry twice", twice, action)
		}
	}
	if warned := count("SELECT COUNT(DISTINCT case_id) FROM timeline WHERE action = 'warn' AND at <= $1"); warned == 0 {
		t.Error("no case was warned: the test fires no warning timers")
	}
	t.Logf("%d timers were due; %d were left when the first node was killed; %d overdue cases, one order each", before, left, overdue)
}

// pingan scores rebuild makes the scorecards' counters again from the
// timeline: counters lost or wrong are as the cases say after it.
func TestScoresRebuildCommand(t *testing.T) {
	bin, env, d := generated(t, 300, 30, "warn")
	total := func() int64 {
		t.Helper()
		var n int64
		if err := d.QueryRowContext(context.Background(), "SELECT COALESCE(SUM(n), 0) FROM score_counts").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := total()
	if want == 0 {
		t.Fatal("the generated cases scored nothing")
	}
	if err := d.Write(context.Background(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(context.Background(), "DELETE FROM score_counts")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out := run(t, bin, env, "", "scores", "rebuild")
	if !strings.Contains(out, "scorecards rebuilt") {
		t.Errorf("output: %s", out)
	}
	if got := total(); got != want {
		t.Errorf("counters after the rebuild add up to %d, want %d", got, want)
	}
}

// pingan search rebuild makes the full-text index again from the cases:
// entries lost are back after it, and a word finds every case it should.
func TestSearchRebuildCommand(t *testing.T) {
	bin, env, d := generated(t, 300, 30, "warn")
	ctx := context.Background()
	index := "case_fts" // in the side file, attached
	if d.Dialect() == db.Postgres {
		index = "case_search"
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := d.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := count("SELECT COUNT(*) FROM cases")
	if got := count("SELECT COUNT(*) FROM " + index); got != cases {
		t.Fatalf("the generated cases: %d indexed of %d", got, cases)
	}
	// Half the index lost.
	del := d.Write
	drop := "DELETE FROM case_search WHERE case_id % 2 = 0"
	if side := d.Side(); side != nil {
		del, drop = side.Write, "DELETE FROM case_fts WHERE rowid % 2 = 0"
	}
	if err := del(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, drop)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := count("SELECT COUNT(*) FROM " + index); got >= cases {
		t.Fatalf("%d indexed of %d after losing half", got, cases)
	}
	out := run(t, bin, env, "", "search", "rebuild")
	if !strings.Contains(out, fmt.Sprintf("search index rebuilt: %d cases", cases)) {
		t.Errorf("output: %s", out)
	}
	if got := count("SELECT COUNT(*) FROM " + index); got != cases {
		t.Errorf("%d indexed of %d after the rebuild", got, cases)
	}
}

// generated builds the binary, runs "pingan gen" with the cases and days
// given into a new database of the backend under test, and returns the
// binary, the environment that names that database, and the database.
func generated(t *testing.T, cases, days int, logLevel string) (bin string, env []string, d *db.DB) {
	t.Helper()
	bin, env, cfg := binaryFor(t, logLevel)
	run(t, bin, env, "", "gen", "--cases", strconv.Itoa(cases), "--days", strconv.Itoa(days))
	return bin, env, dbtest.OpenConfig(t, cfg)
}

// binaryFor builds the binary and names a new database of the backend
// under test: the binary, the environment that points it at the database,
// and the database's configuration.
func binaryFor(t *testing.T, logLevel string) (bin string, env []string, cfg db.Config) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cfg = dbtest.Config(t)
	env = []string{"PINGAN_DATA_DIR=" + cfg.DataDir, "PINGAN_DATABASE_URL=" + cfg.URL, "PINGAN_LOG_LEVEL=" + logLevel, "PINGAN_SECRET_KEY="}
	return bin, env, cfg
}

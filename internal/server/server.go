// Package server is pingan's HTTP server: the API, health and readiness
// probes, Prometheus metrics, request logging, and a graceful shutdown that
// lets in-flight requests finish.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"pingan/internal/api"
	"pingan/internal/app"
	"pingan/internal/open311"
	"pingan/internal/web"
)

// Server serves one App over HTTP.
type Server struct {
	app      *app.App
	log      *slog.Logger
	http     *http.Server
	draining atomic.Bool
	metrics  *metrics
}

// New builds the server for a.
func New(a *app.App) *Server {
	s := &Server{app: a, log: a.Log, metrics: newMetrics(a)}
	s.http = &http.Server{
		Addr:              a.Config.Listen,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler is the whole HTTP surface: the API, the probes, the metrics and
// the workbench pages.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", s.app.API.Handler())
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	a := s.app
	mux.Handle(open311.Prefix+"/", open311.New(open311.Deps{DB: a.DB, Cases: a.Cases, Catalog: a.Catalog, Org: a.Org,
		Directory: a.Directory, Log: a.Log, Location: a.Config.Location(), Now: a.Now}).Handler())
	mux.Handle("/", web.Must(s.app).Handler())
	return s.recover(s.observe(securityHeaders(mux)))
}

// Run serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting connections, reports not-ready, lets in-flight requests finish
// (up to the configured timeout) and returns.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down", "timeout", s.app.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.app.Config.ShutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 when this node can serve: the database answers and its
// schema is current, and the node is not shutting down.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fail := func(why string) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready:", why)
	}
	if s.draining.Load() {
		fail("shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.DB.Ping(ctx); err != nil {
		fail("database: " + err.Error())
		return
	}
	if n, err := s.app.DB.Pending(ctx); err != nil || n > 0 {
		fail(fmt.Sprintf("schema: %d migrations pending (%v)", n, err))
		return
	}
	fmt.Fprintln(w, "ready")
}

// Version is the module version or VCS revision the binary was built from.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Pages name themselves to pages of the site (the language switch
		// comes back to the page it was on), never to another site: case
		// numbers and filters in addresses stay here.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request and records its metrics, labelled by the
// matched route pattern (never the raw path, which would explode cardinality).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:]) // crypto/rand does not fail
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.requests.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", "id", id, "method", r.Method, "path", r.URL.Path, "route", route,
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
	})
}

// recover turns a panic into a 500 and a logged stack, so one bad request
// cannot take the node down.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(a *app.App) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pingan_http_requests_total", Help: "HTTP requests by method, route and status.",
	}, []string{"method", "route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pingan_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
	writes := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pingan_db_writes_total", Help: "Writes committed through the group-committing writer.",
	}, func() float64 { return float64(a.DB.WriterStats().Writes) })
	commits := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pingan_db_commits_total", Help: "Commits made by the writer; writes/commits is the mean batch size.",
	}, func() float64 { return float64(a.DB.WriterStats().Commits) })
	queued := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pingan_db_write_queue", Help: "Writes waiting for the writer.",
	}, func() float64 { return float64(a.DB.WriterStats().Queued) })
	busy := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pingan_db_writer_busy_seconds_total", Help: "Time the writer's lanes spent running batches, commit included, summed over the lanes (pingan_db_writer_lanes); its rate near the number of lanes means writes queue for the writer.",
	}, func() float64 { return a.DB.WriterStats().Busy.Seconds() })
	committing := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pingan_db_writer_commit_seconds_total", Help: "Time the writer spent in COMMIT: writing the log (on PostgreSQL also waiting for the disk).",
	}, func() float64 { return a.DB.WriterStats().Committing.Seconds() })
	syncs := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pingan_db_log_syncs_total", Help: "Embedded database only: fsyncs of the log made beside the writer, each covering every batch committed before it; writes wait for it before they are acknowledged.",
	}, func() float64 { return float64(a.DB.WriterStats().Syncs) })
	syncing := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pingan_db_log_sync_seconds_total", Help: "Embedded database only: time spent in those fsyncs.",
	}, func() float64 { return a.DB.WriterStats().Syncing.Seconds() })
	lanes := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pingan_db_writer_lanes", Help: "Writer lanes: concurrent write transactions (1 on SQLite).",
	}, func() float64 { return float64(a.DB.WriterStats().Lanes) })
	m.reg.MustRegister(m.requests, m.latency, writes, commits, queued, busy, committing, syncs, syncing, lanes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.DB.SQL(), a.DB.Dialect().String()))
	return m
}

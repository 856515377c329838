// Package config is pingan's configuration: one typed struct, filled from
// command-line flags whose defaults come from PINGAN_* environment variables,
// validated once at start and passed explicitly.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the zone database travels with the binary

	"pingan/internal/calendar"
	"pingan/internal/db"
)

// Config is everything a pingan process can be told.
type Config struct {
	DataDir         string        // SQLite file, secret key, attachments
	DatabaseURL     string        // postgres://… to use PostgreSQL instead of SQLite
	Listen          string        // HTTP address
	CasePrefix      string        // case numbers: XM-2026-000123
	TimeZone        string        // for case-number years, dates typed by people, display
	LogFormat       string        // text or json
	LogLevel        string        // debug, info, warn, error
	ShutdownTimeout time.Duration // how long in-flight requests get to finish
	OfficeHours     string        // for limits in working hours: "08:00-12:00,14:30-17:30"; "" or "none": whole working days
	// AutoMerge is the likeness (0–1) above which intake merges a near-exact
	// repeat of an open case at the same place on its own; 0 never.
	AutoMerge float64
	// SecretKey is the base64 master key (PINGAN_SECRET_KEY only, never a
	// flag: flags show up in process listings). Empty: the key file in
	// DataDir.
	SecretKey string
}

// DefaultDataDir is the data directory when neither --data-dir nor
// PINGAN_DATA_DIR names one: pingan-data in the working directory.
const DefaultDataDir = "pingan-data"

// Default returns the defaults, overridden by PINGAN_* variables.
func Default() Config {
	return Config{
		DataDir:         env("PINGAN_DATA_DIR", DefaultDataDir),
		DatabaseURL:     env("PINGAN_DATABASE_URL", ""),
		Listen:          env("PINGAN_LISTEN", "127.0.0.1:8080"),
		CasePrefix:      env("PINGAN_CASE_PREFIX", "XM"),
		TimeZone:        env("PINGAN_TIME_ZONE", "Asia/Shanghai"),
		LogFormat:       env("PINGAN_LOG_FORMAT", "text"),
		LogLevel:        env("PINGAN_LOG_LEVEL", "info"),
		ShutdownTimeout: 20 * time.Second,
		OfficeHours:     env("PINGAN_OFFICE_HOURS", "08:00-12:00,14:30-17:30"),
		SecretKey:       os.Getenv("PINGAN_SECRET_KEY"),
		AutoMerge:       envFloat("PINGAN_AUTO_MERGE", 0.9),
	}
}

// envFloat reads a number; a malformed one is kept as NaN for Validate to
// name.
func envFloat(name string, def float64) float64 {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// RegisterStorage adds the flags that choose the database.
func (c *Config) RegisterStorage(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory: the embedded database, the secret key (env PINGAN_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "use PostgreSQL at this postgres:// URL instead of the embedded database (env PINGAN_DATABASE_URL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env PINGAN_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error (env PINGAN_LOG_LEVEL)")
	fs.StringVar(&c.CasePrefix, "case-prefix", c.CasePrefix, "case number prefix (env PINGAN_CASE_PREFIX)")
	fs.StringVar(&c.TimeZone, "time-zone", c.TimeZone, "time zone (env PINGAN_TIME_ZONE)")
	fs.StringVar(&c.OfficeHours, "office-hours", c.OfficeHours, "office hours, for time limits in working hours; \"none\" (or empty): whole working days (env PINGAN_OFFICE_HOURS)")
	fs.Float64Var(&c.AutoMerge, "auto-merge", c.AutoMerge, "likeness 0–1 above which intake merges a near-exact repeat of an open case on its own; 0 never (env PINGAN_AUTO_MERGE)")
}

// RegisterServer adds the flags of a serving process.
func (c *Config) RegisterServer(fs *flag.FlagSet) {
	c.RegisterStorage(fs)
	fs.StringVar(&c.Listen, "listen", c.Listen, "HTTP listen address (env PINGAN_LISTEN)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "time in-flight requests get to finish at shutdown")
}

// Validate checks the configuration and says what is wrong.
func (c Config) Validate() error {
	var errs []error
	if c.DatabaseURL != "" && !db.IsPostgresURL(c.DatabaseURL) {
		errs = append(errs, fmt.Errorf("--database-url must start with postgres:// (or be empty for the embedded database)"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("--time-zone %q: %w", c.TimeZone, err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if p := c.CasePrefix; p == "" || len(p) > 8 || strings.ContainsAny(p, "- /") {
		errs = append(errs, fmt.Errorf("--case-prefix must be 1–8 characters without '-', '/' or spaces, not %q", p))
	}
	if _, err := c.office(); err != nil {
		errs = append(errs, fmt.Errorf("--office-hours: %w (or \"none\" for whole working days)", err))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("--shutdown-timeout must be positive"))
	}
	if !(c.AutoMerge == 0 || (c.AutoMerge >= 0.5 && c.AutoMerge <= 1)) {
		errs = append(errs, fmt.Errorf("--auto-merge must be 0 (never) or a likeness from 0.5 to 1, not %v (env PINGAN_AUTO_MERGE)", c.AutoMerge))
	}
	return errors.Join(errs...)
}

// Location returns the configured time zone (Validate has checked it).
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// Logger returns the structured logger the configuration asks for.
func (c Config) Logger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Office returns the office hours (Validate has checked them); nil when
// they are off, and a working day counts whole.
func (c Config) Office() []calendar.Window {
	w, _ := c.office()
	return w
}

// office reads the office hours: "" or "none" switches them off.
func (c Config) office() ([]calendar.Window, error) {
	if s := strings.TrimSpace(c.OfficeHours); s == "" || strings.EqualFold(s, "none") {
		return nil, nil
	}
	return calendar.ParseOfficeHours(c.OfficeHours)
}

// DB returns the database configuration.
func (c Config) DB(log *slog.Logger) db.Config {
	return db.Config{URL: c.DatabaseURL, DataDir: c.DataDir, Logger: log}
}

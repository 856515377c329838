package config_test

import (
	"strings"
	"testing"
	"time"

	"pingan/internal/calendar"
	"pingan/internal/config"
)

// Office hours can be switched off: then a working hour is any hour of a
// working day.
func TestOfficeHours(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  []calendar.Window
		err   string
	}{
		{"08:00-12:00,14:30-17:30", []calendar.Window{{From: 8 * time.Hour, To: 12 * time.Hour},
			{From: 14*time.Hour + 30*time.Minute, To: 17*time.Hour + 30*time.Minute}}, ""},
		{"", nil, ""},
		{"none", nil, ""},
		{" None ", nil, ""},
		{"9-5", nil, "--office-hours"},
		{"17:00-09:00", nil, "--office-hours"},
		{",", nil, "--office-hours"},
	} {
		c := config.Default()
		c.DataDir, c.DatabaseURL, c.OfficeHours = "data", "", tc.value
		err := c.Validate()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), `"none"`) {
				t.Errorf("%q: %v, want an error naming %s and how to switch them off", tc.value, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.value, err)
			continue
		}
		got := c.Office()
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.value, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %v, want %v", tc.value, got, tc.want)
			}
		}
	}
	// Switched off, 4 working hours from Friday 22:00 before National Day
	// 2024 run to 02:00 on the make-up Sunday, 29 September.
	c := config.Default()
	c.OfficeHours = "none"
	shanghai := c.Location()
	ns, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.New(shanghai, ns, c.Office())
	from := time.Date(2024, 9, 27, 22, 0, 0, 0, shanghai)
	if got, want := cal.AddWorkingHours(from, 4*time.Hour), time.Date(2024, 9, 29, 2, 0, 0, 0, shanghai); !got.Equal(want) {
		t.Errorf("4 working hours from %v: %v, want %v", from, got, want)
	}
}

package hot

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ReadJSONL reads messages in the Teddy Cup's JSON-lines format (id, user,
// subject, time "YYYY-MM-DD HH:MM:SS", body, likes, dislikes), local time
// in loc.
func ReadJSONL(r io.Reader, loc *time.Location) ([]Message, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var out []Message
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec struct {
			ID       json.Number `json:"id"`
			User     string      `json:"user"`
			Subject  string      `json:"subject"`
			Time     string      `json:"time"`
			Body     string      `json:"body"`
			Likes    int         `json:"likes"`
			Dislikes int         `json:"dislikes"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05", rec.Time, loc)
		if err != nil {
			return nil, fmt.Errorf("line %d: time %q: %w", line, rec.Time, err)
		}
		out = append(out, Message{ID: rec.ID.String(), User: rec.User, Subject: rec.Subject, Body: rec.Body, Time: t,
			Likes: rec.Likes, Dislikes: rec.Dislikes})
	}
	return out, sc.Err()
}

// Table writes the top issues as the Teddy Cup's 表1 asks: rank, heat,
// time range, place or group, description.
func Table(w io.Writer, issues []Issue, top int) {
	fmt.Fprintf(w, "%-4s %-8s %-23s %-24s %s\n", "排名", "热度", "时间范围", "地点/人群", "问题描述")
	for _, is := range issues[:min(top, len(issues))] {
		fmt.Fprintf(w, "%-6d %-10s %s 至 %s  %-24s %s（%d 条留言，%d 人）\n", is.Rank, strconv.FormatFloat(is.Heat, 'f', 1, 64),
			is.From.Format("2006/01/02"), is.To.Format("2006/01/02"), is.Place, is.Description, len(is.Messages), is.Users)
	}
}

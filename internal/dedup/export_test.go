package dedup

// FromDatabase returns s without its resident index: the database answers
// every lookup.
func FromDatabase(s *Service) *Service {
	c := *s
	c.resident = nil
	return &c
}

// ResidentAnswered returns how many lookups s's resident index answered
// and how many it left to the database.
func ResidentAnswered(s *Service) (answered, declined int64) {
	if s.resident == nil {
		return 0, 0
	}
	return s.resident.answered.Load(), s.resident.declined.Load()
}

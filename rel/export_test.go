package rel

// SetChunkSize sets how many keys one SELECT IN query carries, for tests,
// and returns a function restoring the previous size.
func SetChunkSize(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}

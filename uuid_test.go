package retort_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
)

// TestNewUUID: version 7 and RFC 9562's variant, all distinct, and in the
// order they were made, as bytes and as their canonical text, also within
// one millisecond.
func TestNewUUID(t *testing.T) {
	const n = 20000
	seen := make(map[retort.UUID]bool, n)
	var prev retort.UUID
	for i := range n {
		u := retort.NewUUID()
		if v := u[6] >> 4; v != 7 {
			t.Fatalf("%s: version %d, want 7", u, v)
		}
		if u[8]>>6 != 2 {
			t.Fatalf("%s: variant bits %02b, want 10", u, u[8]>>6)
		}
		if seen[u] {
			t.Fatalf("%s made twice", u)
		}
		seen[u] = true
		if i > 0 && (string(u[:]) <= string(prev[:]) || u.String() <= prev.String()) {
			t.Fatalf("%s made after %s sorts before it", u, prev)
		}
		prev = u
	}
}

// TestParseUUID: the canonical form in either case, without hyphens and in
// braces; anything else is ErrInvalidUUID quoting the text; String and the
// text methods round-trip.
func TestParseUUID(t *testing.T) {
	const canon = "0192f5a0-7c3e-7b21-9d4e-5f6a7b8c9d0e"
	for _, s := range []string{canon, strings.ToUpper(canon), strings.ReplaceAll(canon, "-", ""), "{" + canon + "}"} {
		u, err := retort.ParseUUID(s)
		if err != nil || u.String() != canon {
			t.Errorf("ParseUUID(%q) = %s, %v; want %s", s, u, err, canon)
		}
	}
	for _, s := range []string{"", "0192f5a0", canon + "0", "0192f5a0x7c3e-7b21-9d4e-5f6a7b8c9d0e", "0192f5a0-7c3e-7b21-9d4e-5f6a7b8c9d0g", "{" + canon} {
		if u, err := retort.ParseUUID(s); !errors.Is(err, retort.ErrInvalidUUID) || !strings.Contains(err.Error(), `"`+s+`"`) || !u.IsZero() {
			t.Errorf("ParseUUID(%q) = %s, %v; want ErrInvalidUUID quoting the text", s, u, err)
		}
	}
	u := retort.NewUUID()
	b, _ := u.MarshalText()
	var back retort.UUID
	if err := back.UnmarshalText(b); err != nil || back != u {
		t.Errorf("text round trip of %s: %s, %v", u, back, err)
	}
	if !(retort.UUID{}).IsZero() || u.IsZero() {
		t.Error("IsZero")
	}
}

package postgres

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/retort-orm/retort"
)

// encodeWithPgx returns pgx's own binary encoding of the numeric text s, the
// bytes PostgreSQL sends for it.
func encodeWithPgx(t *testing.T, s string) []byte {
	t.Helper()
	var n pgtype.Numeric
	if err := n.Scan(s); err != nil {
		t.Fatalf("pgtype.Numeric.Scan(%q): %v", s, err)
	}
	m := pgtype.NewMap()
	b, err := m.Encode(pgtype.NumericOID, pgtype.BinaryFormatCode, n, nil)
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

// TestDecodeNumeric compares the binary decoder with ParseDecimal of the same
// text, for edge values and random ones, and checks that what a Decimal
// cannot hold is refused (left to the text path).
func TestDecodeNumeric(t *testing.T) {
	ok := []string{
		"0", "0.00", "1", "-1", "0.0001", "-0.0001", "10000", "9999", "10000.0001", "1.5", "-12.34",
		"9223372036854775807", "-9223372036854775807", "922337203685477580.7", "9.223372036854775807",
		"0.000000000000000001", "-0.100000000000000000", "100000000000000000", "123456789.123456789",
		"1000000000000000000", "0.10", "99999999.99", "-99999999.99",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		scale := r.IntN(19)
		units := r.Int64() >> r.IntN(63)
		if r.IntN(2) == 0 {
			units = -units
		}
		ok = append(ok, retort.NewDecimal(units, scale).String())
	}
	for _, s := range ok {
		want, err := retort.ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, decoded := decodeNumeric(encodeWithPgx(t, s))
		if !decoded {
			t.Errorf("decodeNumeric(%s) refused it", s)
			continue
		}
		if got.Units() != want.Units() || got.Scale() != want.Scale() {
			t.Errorf("decodeNumeric(%s) = %s (units %d, scale %d), want units %d, scale %d", s, got, got.Units(), got.Scale(), want.Units(), want.Scale())
		}
	}
	refused := []string{
		"9223372036854775808", "-9223372036854775808", "12345678901234567890123", "0.0000000000000000001",
		"1" + strings.Repeat("0", 30), "92233720368547758.08", "NaN",
	}
	for _, s := range refused {
		var b []byte
		if s == "NaN" {
			b = []byte{0, 0, 0, 0, 0xC0, 0, 0, 0}
		} else {
			b = encodeWithPgx(t, s)
		}
		if got, decoded := decodeNumeric(b); decoded {
			t.Errorf("decodeNumeric(%s) = %s, want it refused", s, got)
		}
	}
	// Malformed input is refused, never a panic.
	good := encodeWithPgx(t, "1234.5678")
	bad := [][]byte{nil, good[:7], good[:len(good)-1], append(append([]byte{}, good...), 0)}
	digit := append([]byte{}, good...)
	binary.BigEndian.PutUint16(digit[8:], 10000)
	bad = append(bad, digit)
	scale := append([]byte{}, good...)
	binary.BigEndian.PutUint16(scale[6:], 19)
	bad = append(bad, scale)
	inexact := append([]byte{}, good...)
	binary.BigEndian.PutUint16(inexact[6:], 2) // 1234.5678 shown with 2 digits
	bad = append(bad, inexact)
	for i, b := range bad {
		if got, decoded := decodeNumeric(b); decoded {
			t.Errorf("malformed input %d (%s) decoded as %s", i, strconv.Quote(string(b)), got)
		}
	}
}

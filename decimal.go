package retort

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number for money and other quantities that must
// not be rounded by binary floating point: an int64 count of units of
// 10^-Scale. Its zero value is 0. Arithmetic that would overflow int64 returns
// an error instead of a wrong answer.
//
// Store it in a column declared with [Col] (type numeric) or with
// [ColType] and [Numeric] to give precision and scale.
type Decimal struct {
	units int64
	scale int8
}

const maxDecimalScale = 18

var pow10 = func() (p [maxDecimalScale + 1]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// ErrDecimalRange is returned when a decimal does not fit in Decimal.
var ErrDecimalRange = errors.New("decimal out of range")

// NewDecimal returns units × 10^-scale; scale must be 0 to 18.
func NewDecimal(units int64, scale int) Decimal {
	if scale < 0 || scale > maxDecimalScale {
		panic("retort: decimal scale out of range")
	}
	return Decimal{units: units, scale: int8(scale)}
}

// ParseDecimal parses "-123.4500" and similar. Exponents are not accepted.
func ParseDecimal(s string) (Decimal, error) {
	orig := s
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return Decimal{}, fmt.Errorf("retort: parse decimal %q: invalid syntax", orig)
	}
	if len(frac) > maxDecimalScale && allDigits(intPart) && allDigits(frac) {
		return Decimal{}, fmt.Errorf("retort: parse decimal %q: more than %d digits after the point: %w", orig, maxDecimalScale, ErrDecimalRange)
	}
	var u uint64
	if len(frac) > maxDecimalScale {
		return Decimal{}, fmt.Errorf("retort: parse decimal %q: invalid syntax", orig)
	}
	for _, part := range [2]string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return Decimal{}, fmt.Errorf("retort: parse decimal %q: invalid syntax", orig)
			}
			hi, lo := bits.Mul64(u, 10)
			lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
			if hi != 0 || carry != 0 || lo > math.MaxInt64 {
				return Decimal{}, fmt.Errorf("retort: parse decimal %q: %w", orig, ErrDecimalRange)
			}
			u = lo
		}
	}
	n := int64(u)
	if neg {
		n = -n
	}
	return Decimal{units: n, scale: int8(len(frac))}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustDecimal is ParseDecimal for constants; it panics on a malformed string.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DecimalFromFloat rounds f to scale digits after the point, half away from
// zero, starting from the shortest decimal that reads back as f (so 0.125
// rounds to 0.13, as a person would expect, not to the binary neighbour).
func DecimalFromFloat(f float64, scale int) (Decimal, error) {
	if scale < 0 || scale > maxDecimalScale {
		return Decimal{}, fmt.Errorf("retort: decimal scale %d: %w", scale, ErrDecimalRange)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, fmt.Errorf("retort: decimal from %v: %w", f, ErrDecimalRange)
	}
	// Fast path: f × 10^scale, rounded, when that cannot differ from
	// rounding f's shortest decimal: the product is small (its error is
	// then far below 1e-6 units) and not within 1e-6 of a half unit.
	if x := f * float64(pow10[scale]); math.Abs(x) < 1e9 {
		if r := math.Round(x); math.Abs(math.Abs(x-r)-0.5) > 1e-6 {
			return Decimal{units: int64(r), scale: int8(scale)}, nil
		}
	}
	return parseRounded(strconv.FormatFloat(f, 'f', -1, 64), scale)
}

// parseRounded parses a plain decimal string with any number of fraction
// digits, rounding half away from zero to scale digits.
func parseRounded(s string, scale int) (Decimal, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(body, ".")
	up := false
	if len(frac) > scale {
		up = frac[scale] >= '5'
		frac = frac[:scale]
	}
	d, err := ParseDecimal(intPart + "." + frac + strings.Repeat("0", scale-len(frac)))
	if err != nil {
		return Decimal{}, err
	}
	if up {
		if d.units == math.MaxInt64 {
			return Decimal{}, fmt.Errorf("retort: parse decimal %q: %w", s, ErrDecimalRange)
		}
		d.units++
	}
	if neg {
		d.units = -d.units
	}
	return d, nil
}

// Scale is the number of digits after the decimal point.
func (d Decimal) Scale() int { return int(d.scale) }

// Units is the value in units of 10^-Scale.
func (d Decimal) Units() int64 { return d.units }

// String renders d with exactly Scale digits after the point.
func (d Decimal) String() string {
	var buf [24]byte
	return string(d.appendTo(buf[:0]))
}

// appendTo appends d as String renders it.
func (d Decimal) appendTo(b []byte) []byte {
	u := d.units
	var abs uint64
	if u < 0 {
		b = append(b, '-')
		abs = uint64(-(u + 1)) + 1
	} else {
		abs = uint64(u)
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], abs, 10)
	scale := int(d.scale)
	if scale == 0 {
		return append(b, digits...)
	}
	if len(digits) <= scale {
		b = append(b, '0', '.')
		for range scale - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-scale]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-scale:]...)
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	return float64(d.units) / float64(pow10[d.scale])
}

// Rescale returns d with the given scale, rounding half away from zero when
// digits are dropped.
func (d Decimal) Rescale(scale int) (Decimal, error) {
	if scale < 0 || scale > maxDecimalScale {
		return Decimal{}, fmt.Errorf("retort: rescale %s to %d: %w", d, scale, ErrDecimalRange)
	}
	diff := scale - int(d.scale)
	switch {
	case diff == 0:
		return d, nil
	case diff > 0:
		hi, lo := bits.Mul64(uint64(abs64(d.units)), uint64(pow10[diff]))
		if hi != 0 || lo > math.MaxInt64 {
			return Decimal{}, fmt.Errorf("retort: rescale %s to %d: %w", d, scale, ErrDecimalRange)
		}
		return Decimal{units: sign64(d.units) * int64(lo), scale: int8(scale)}, nil
	default:
		p := pow10[-diff]
		q, r := d.units/p, d.units%p
		if abs64(r)*2 >= p {
			q += sign64(d.units)
		}
		return Decimal{units: q, scale: int8(scale)}, nil
	}
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func sign64(n int64) int64 {
	if n < 0 {
		return -1
	}
	return 1
}

// align brings a and b to the same scale.
func align(a, b Decimal) (Decimal, Decimal, error) {
	var err error
	if a.scale < b.scale {
		a, err = a.Rescale(int(b.scale))
	} else if b.scale < a.scale {
		b, err = b.Rescale(int(a.scale))
	}
	return a, b, err
}

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than o.
func (d Decimal) Cmp(o Decimal) int {
	a, b, err := align(d, o)
	if err != nil {
		// One side is too large to rescale in int64: compare exactly in
		// big integers (rare, so the allocation does not matter).
		x := new(big.Int).Mul(big.NewInt(d.units), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(o.scale)), nil))
		y := new(big.Int).Mul(big.NewInt(o.units), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale)), nil))
		return x.Cmp(y)
	}
	switch {
	case a.units < b.units:
		return -1
	case a.units > b.units:
		return 1
	}
	return 0
}

// Equal reports whether d and o are the same number (1.50 equals 1.5).
func (d Decimal) Equal(o Decimal) bool {
	if d.scale == o.scale {
		return d.units == o.units
	}
	return d.Cmp(o) == 0
}

// Add returns d+o, or an error on overflow.
func (d Decimal) Add(o Decimal) (Decimal, error) {
	a, b, err := align(d, o)
	if err != nil {
		return Decimal{}, err
	}
	s := a.units + b.units
	if (s > a.units) != (b.units > 0) {
		return Decimal{}, fmt.Errorf("retort: %s + %s: %w", d, o, ErrDecimalRange)
	}
	return Decimal{units: s, scale: a.scale}, nil
}

// Sub returns d-o, or an error on overflow.
func (d Decimal) Sub(o Decimal) (Decimal, error) {
	if o.units == math.MinInt64 {
		return Decimal{}, fmt.Errorf("retort: %s - %s: %w", d, o, ErrDecimalRange)
	}
	return d.Add(Decimal{units: -o.units, scale: o.scale})
}

// MarshalText implements encoding.TextMarshaler (JSON writes a string).
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Numeric returns the Type for a Decimal column of the given precision and
// scale: numeric(p,s) on PostgreSQL, exact end to end; NUMERIC(p,s) on SQLite,
// whose numeric affinity stores values with a fractional part as 8-byte REAL,
// exact to 15 significant digits. A value with more places than scale is
// written rounded to it, half away from zero, on both databases (as
// PostgreSQL does; the object keeps its value), and values read back are
// rounded to scale. Precision 0 means unconstrained (numeric with no
// modifier).
func Numeric(precision, scale int) Type[Decimal] {
	return numericType{precision: precision, scale: scale}
}

type numericType struct {
	precision, scale int
	// computed: the type of a mean or a quotient of unconstrained
	// Decimals, whose digits go on past what a Decimal holds: read rounded,
	// where a stored value with more digits is an error.
	computed bool
}

// computedType is typ for a mean or a quotient (see numericType.computed).
func computedType[N any](typ Type[N]) Type[N] {
	if nt, ok := any(typ).(numericType); ok && nt.precision == 0 {
		nt.computed = true
		return any(nt).(Type[N])
	}
	return typ
}

func (t numericType) SQLType(d Dialect, _ int) string {
	name := "NUMERIC"
	if d == Postgres {
		name = "numeric"
	}
	if t.precision > 0 {
		return fmt.Sprintf("%s(%d,%d)", name, t.precision, t.scale)
	}
	return name
}

func (t numericType) Encode(v Decimal) (any, error) {
	if err := t.check(v); err != nil {
		return nil, err
	}
	return v.String(), nil
}

// check reports an error when v does not fit the column's precision and
// scale.
func (t numericType) check(v Decimal) error {
	if t.precision > 0 {
		r, err := v.Rescale(t.scale)
		if err != nil {
			return err
		}
		digits := decimalDigits(uint64(abs64(r.units)))
		if r.units == math.MinInt64 {
			digits++ // counted with its sign, as it always was
		}
		if digits > t.precision {
			return fmt.Errorf("%s has more than %d digits: %w", v, t.precision, ErrDecimalRange)
		}
	}
	return nil
}

// decimalDigits is the number of decimal digits of u (1 for 0).
func decimalDigits(u uint64) int {
	n := 1
	for u >= 10 {
		u /= 10
		n++
	}
	return n
}

func (t numericType) Decode(src any) (Decimal, error) {
	var d Decimal
	var err error
	switch s := src.(type) {
	case string:
		d, err = t.parseText(s)
	case []byte:
		d, err = t.parseText(string(s))
	case int64:
		if s == math.MinInt64 { // its negation does not fit: it could not be written back
			return Decimal{}, fmt.Errorf("%d: %w", s, ErrDecimalRange)
		}
		d = Decimal{units: s}
	case float64:
		if t.precision == 0 {
			// Unconstrained: keep the float's shortest form, up to the
			// largest scale Decimal holds.
			str := strconv.FormatFloat(s, 'f', -1, 64)
			_, frac, _ := strings.Cut(str, ".")
			return parseRounded(str, min(len(frac), maxDecimalScale))
		}
		d, err = DecimalFromFloat(s, t.scale)
	default:
		return Decimal{}, fmt.Errorf("cannot decode %T into Decimal", src)
	}
	if err != nil || t.precision == 0 {
		return d, err
	}
	return d.Rescale(t.scale)
}

// parseText is Decode of a number's text. A value with more fraction
// digits than a Decimal holds (a mean or a quotient, which PostgreSQL gives
// with up to 20) is rounded half away from zero to the column's scale, and
// a computed one of unconstrained Decimals to as many digits as fit; a
// stored unconstrained value is an error (ErrDecimalRange), never a
// different number.
func (t numericType) parseText(s string) (Decimal, error) {
	intPart, frac, _ := strings.Cut(strings.TrimLeft(s, "+-"), ".")
	if len(frac) <= maxDecimalScale || !allDigits(intPart) || !allDigits(frac) || t.precision == 0 && !t.computed {
		return ParseDecimal(s)
	}
	scale := t.scale
	if t.precision == 0 {
		scale = min(maxDecimalScale, max(0, maxDecimalScale-len(strings.TrimLeft(intPart, "0"))))
	}
	return parseRounded(s, scale)
}

// fromDecimal is Decode of an exact value: rounded to the column's scale
// when the column has a precision.
func (t numericType) fromDecimal(d Decimal) (Decimal, error) {
	if t.precision == 0 {
		return d, nil
	}
	return d.Rescale(t.scale)
}

func (numericType) Equal(a, b Decimal) bool { return a.Equal(b) }

// DecimalScanner is implemented by the scan destinations Retort gives drivers
// for Decimal columns and expressions. A driver that reads a number exactly
// (PostgreSQL's binary numeric) hands it over with ScanDecimal, with no text
// in between; otherwise it calls Scan (database/sql.Scanner), as for every
// other type. NULL always goes through Scan.
type DecimalScanner interface {
	// ScanDecimal stores d, a non-NULL value read from the database.
	ScanDecimal(d Decimal) error
}

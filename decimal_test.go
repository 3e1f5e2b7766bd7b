package retort_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
)

func mustParse(t testing.TB, s string) retort.Decimal {
	t.Helper()
	d, err := retort.ParseDecimal(s)
	if err != nil {
		t.Fatalf("ParseDecimal(%q): %v", s, err)
	}
	return d
}

func TestParseDecimalRoundTrip(t *testing.T) {
	cases := []struct {
		in, out string
		units   int64
		scale   int
	}{
		{"0", "0", 0, 0},
		{"1", "1", 1, 0},
		{"-1", "-1", -1, 0},
		{"1.50", "1.50", 150, 2},
		{"-0.05", "-0.05", -5, 2},
		{"123.4500", "123.4500", 1234500, 4},
		{"+3.1", "3.1", 31, 1},
		{".5", "0.5", 5, 1},
		{"-.5", "-0.5", -5, 1},
		{"5.", "5", 5, 0},
		{"007.10", "7.10", 710, 2},
		{"-0", "0", 0, 0},
		{"-0.00", "0.00", 0, 2},
		{"0.000000000000000001", "0.000000000000000001", 1, 18},
		{"9223372036854775807", "9223372036854775807", math.MaxInt64, 0},
		{"-9223372036854775807", "-9223372036854775807", -math.MaxInt64, 0},
		{"-9.223372036854775807", "-9.223372036854775807", -math.MaxInt64, 18},
	}
	for _, c := range cases {
		d, err := retort.ParseDecimal(c.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", c.in, err)
			continue
		}
		if d.Units() != c.units || d.Scale() != c.scale {
			t.Errorf("ParseDecimal(%q) = %d×10^-%d, want %d×10^-%d", c.in, d.Units(), d.Scale(), c.units, c.scale)
		}
		if got := d.String(); got != c.out {
			t.Errorf("ParseDecimal(%q).String() = %q, want %q", c.in, got, c.out)
		}
		again := mustParse(t, d.String())
		if again != d {
			t.Errorf("ParseDecimal(%q) does not survive String: %v != %v", c.in, again, d)
		}
		if nd := retort.NewDecimal(c.units, c.scale); nd != d {
			t.Errorf("NewDecimal(%d, %d) = %v, want %v", c.units, c.scale, nd, d)
		}
	}
}

func TestParseDecimalErrors(t *testing.T) {
	syntax := []string{"", "-", "+", ".", "-.", "1.2.3", "1e5", "1E-2", "abc", " 1", "1 ", "--1", "+-1", "1,5", "0x10", "½", "1_000", "NaN", "Inf"}
	for _, s := range syntax {
		_, err := retort.ParseDecimal(s)
		if err == nil {
			t.Errorf("ParseDecimal(%q) succeeded", s)
			continue
		}
		if errors.Is(err, retort.ErrDecimalRange) {
			t.Errorf("ParseDecimal(%q) = %v: a syntax error, not a range error", s, err)
		}
		if !strings.HasPrefix(err.Error(), "retort: parse decimal ") || !strings.Contains(err.Error(), `"`+s+`"`) {
			t.Errorf("ParseDecimal(%q) error %q does not name the operation and input", s, err)
		}
	}
	// Too many digits after the point.
	if _, err := retort.ParseDecimal("0." + strings.Repeat("1", 19)); !errors.Is(err, retort.ErrDecimalRange) {
		t.Errorf("19 fractional digits: %v, want ErrDecimalRange", err)
	}
	// The range is ±(2^63-1) units.
	for _, s := range []string{"9223372036854775808", "-9223372036854775808", "92233720368547758.08", "99999999999999999999"} {
		_, err := retort.ParseDecimal(s)
		if !errors.Is(err, retort.ErrDecimalRange) {
			t.Errorf("ParseDecimal(%q) = %v, want ErrDecimalRange", s, err)
		}
	}
	if _, err := retort.ParseDecimal("-0.999999999999999999"); err != nil {
		t.Errorf("18 fractional digits: %v", err)
	}
}

func TestDecimalConstructorsPanicOnProgrammerErrors(t *testing.T) {
	for name, f := range map[string]func(){
		"NewDecimal scale 19":  func() { retort.NewDecimal(1, 19) },
		"NewDecimal scale -1":  func() { retort.NewDecimal(1, -1) },
		"MustDecimal of junk":  func() { retort.MustDecimal("1.2.3") },
		"MustDecimal overflow": func() { retort.MustDecimal("1e3") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestDecimalRescale(t *testing.T) {
	cases := []struct {
		in    string
		scale int
		want  string
	}{
		{"1.005", 2, "1.01"},
		{"-1.005", 2, "-1.01"},
		{"1.004", 2, "1.00"},
		{"-1.004", 2, "-1.00"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"3.5", 0, "4"}, // away from zero, not to even
		{"0.5", 0, "1"},
		{"-0.5", 0, "-1"},
		{"0.49", 0, "0"},
		{"-0.49", 0, "0"},
		{"9.999", 2, "10.00"},
		{"-9.995", 2, "-10.00"},
		{"1.5", 3, "1.500"},
		{"-1.5", 18, "-1.500000000000000000"},
		{"7", 0, "7"},
		{"123456789.987654321", 4, "123456789.9877"},
	}
	for _, c := range cases {
		got, err := mustParse(t, c.in).Rescale(c.scale)
		if err != nil {
			t.Errorf("%s.Rescale(%d): %v", c.in, c.scale, err)
			continue
		}
		if got.String() != c.want || got.Scale() != c.scale {
			t.Errorf("%s.Rescale(%d) = %s (scale %d), want %s", c.in, c.scale, got, got.Scale(), c.want)
		}
	}
	for _, c := range []struct {
		in    string
		scale int
	}{
		{"9223372036854775807", 1},
		{"-922337203685477580.7", 2},
		{"1", 19},
		{"1", -1},
	} {
		if _, err := mustParse(t, c.in).Rescale(c.scale); !errors.Is(err, retort.ErrDecimalRange) {
			t.Errorf("%s.Rescale(%d) = %v, want ErrDecimalRange", c.in, c.scale, err)
		}
	}
}

func TestDecimalCmpEqual(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.5", "1.50", 0},
		{"1.5", "1.49", 1},
		{"1.49", "1.5", -1},
		{"-1.5", "-1.49", -1},
		{"0", "-0.00", 0},
		{"0.000000000000000001", "0", 1},
		{"-0.000000000000000001", "0", -1},
		{"100", "99.999999", 1},
		{"9223372036854775807", "0.1", 1},
		{"-9223372036854775807", "0.1", -1},
		// Too far apart in scale to align in int64, and too close for a
		// float64 to tell apart.
		{"922337203685477581", "922337203685477580.7", 1},
		{"922337203685477580.7", "922337203685477581", -1},
	}
	for _, c := range cases {
		a, b := mustParse(t, c.a), mustParse(t, c.b)
		if got := a.Cmp(b); got != c.want {
			t.Errorf("%s.Cmp(%s) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := a.Equal(b); got != (c.want == 0) {
			t.Errorf("%s.Equal(%s) = %v, want %v", c.a, c.b, got, c.want == 0)
		}
		if got := b.Cmp(a); got != -c.want {
			t.Errorf("%s.Cmp(%s) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestDecimalAddSub(t *testing.T) {
	cases := []struct {
		a, b     string
		sum, dif string
	}{
		{"1.5", "0.25", "1.75", "1.25"},
		{"-1", "0.5", "-0.5", "-1.5"},
		{"0.10", "0.20", "0.30", "-0.10"},
		{"19.99", "5.01", "25.00", "14.98"},
		{"0", "0", "0", "0"},
		{"9223372036854775806", "1", "9223372036854775807", "9223372036854775805"},
	}
	for _, c := range cases {
		a, b := mustParse(t, c.a), mustParse(t, c.b)
		sum, err := a.Add(b)
		if err != nil || sum.String() != c.sum {
			t.Errorf("%s + %s = %s, %v; want %s", c.a, c.b, sum, err, c.sum)
		}
		dif, err := a.Sub(b)
		if err != nil || dif.String() != c.dif {
			t.Errorf("%s - %s = %s, %v; want %s", c.a, c.b, dif, err, c.dif)
		}
	}
	max := retort.NewDecimal(math.MaxInt64, 0)
	overflows := []struct {
		name string
		f    func() (retort.Decimal, error)
	}{
		{"max + 1", func() (retort.Decimal, error) { return max.Add(retort.NewDecimal(1, 0)) }},
		{"-max - 2", func() (retort.Decimal, error) {
			return retort.NewDecimal(-math.MaxInt64, 0).Sub(retort.NewDecimal(2, 0))
		}},
		{"max - -1", func() (retort.Decimal, error) { return max.Sub(retort.NewDecimal(-1, 0)) }},
		{"x - min", func() (retort.Decimal, error) {
			return retort.NewDecimal(0, 0).Sub(retort.NewDecimal(math.MinInt64, 0))
		}},
		{"max + 0.1 (cannot align)", func() (retort.Decimal, error) { return max.Add(mustParse(t, "0.1")) }},
	}
	for _, o := range overflows {
		if d, err := o.f(); !errors.Is(err, retort.ErrDecimalRange) {
			t.Errorf("%s = %v, %v; want ErrDecimalRange", o.name, d, err)
		}
	}
}

func TestDecimalFloat64(t *testing.T) {
	for s, want := range map[string]float64{"1.25": 1.25, "-0.5": -0.5, "0": 0, "19.99": 19.99} {
		if got := mustParse(t, s).Float64(); got != want {
			t.Errorf("%s.Float64() = %v, want %v", s, got, want)
		}
	}
}

func TestDecimalText(t *testing.T) {
	d := mustParse(t, "-12.340")
	b, err := d.MarshalText()
	if err != nil || string(b) != "-12.340" {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
	var back retort.Decimal
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
	}
	before := back
	if err := back.UnmarshalText([]byte("x")); err == nil {
		t.Error("UnmarshalText accepted junk")
	}
	if back != before {
		t.Errorf("failed UnmarshalText changed the value to %v", back)
	}
}

func TestDecimalJSON(t *testing.T) {
	type price struct {
		Amount retort.Decimal  `json:"amount"`
		Tax    *retort.Decimal `json:"tax,omitempty"`
	}
	in := price{Amount: mustParse(t, "19.90"), Tax: ptr(mustParse(t, "-0.05"))}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"amount":"19.90","tax":"-0.05"}`; got != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	var out price
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out, cmp.AllowUnexported(retort.Decimal{})); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	if err := json.Unmarshal([]byte(`{"amount":"1.2.3"}`), &out); err == nil {
		t.Error("json.Unmarshal accepted a malformed decimal")
	}
}

func TestNumericSQLType(t *testing.T) {
	cases := []struct {
		typ  retort.Type[retort.Decimal]
		d    retort.Dialect
		want string
	}{
		{retort.Numeric(10, 2), retort.Postgres, "numeric(10,2)"},
		{retort.Numeric(10, 2), retort.SQLite, "NUMERIC(10,2)"},
		{retort.Numeric(0, 0), retort.Postgres, "numeric"},
		{retort.Numeric(0, 0), retort.SQLite, "NUMERIC"},
	}
	for _, c := range cases {
		if got := c.typ.SQLType(c.d, 0); got != c.want {
			t.Errorf("SQLType(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestNumericEncode(t *testing.T) {
	n52 := retort.Numeric(5, 2)
	for _, s := range []string{"123.45", "-999.99", "0", "0.001", "999.994", "-999.994", "1.005"} {
		v, err := n52.Encode(mustParse(t, s))
		if err != nil {
			t.Errorf("numeric(5,2) Encode(%s): %v", s, err)
			continue
		}
		if v != s {
			t.Errorf("numeric(5,2) Encode(%s) = %v, want the decimal's text", s, v)
		}
	}
	for _, s := range []string{"1234.5", "-1000", "999.995", "-999.995", "100000"} {
		if _, err := n52.Encode(mustParse(t, s)); !errors.Is(err, retort.ErrDecimalRange) {
			t.Errorf("numeric(5,2) Encode(%s) = %v, want ErrDecimalRange", s, err)
		}
	}
	if _, err := retort.Numeric(0, 0).Encode(mustParse(t, "9223372036854775807")); err != nil {
		t.Errorf("unconstrained numeric rejected a value: %v", err)
	}
}

func TestNumericDecode(t *testing.T) {
	n102 := retort.Numeric(10, 2)
	mean := retort.AvgDecimal(retort.SQLAs(retort.Numeric(0, 0), "x")).ValueType()
	cases := []struct {
		name string
		typ  retort.Type[retort.Decimal]
		src  any
		want string
	}{
		{"string", n102, "12.34", "12.34"},
		{"string rounded to scale", n102, "12.345", "12.35"},
		{"string padded to scale", n102, "12", "12.00"},
		{"bytes", n102, []byte("-0.5"), "-0.50"},
		{"int64", n102, int64(7), "7.00"},
		{"float64", n102, 19.99, "19.99"},
		{"float64 negative", n102, -0.1, "-0.10"},
		{"float64 whole", n102, 42.0, "42.00"},
		{"unconstrained string keeps its scale", retort.Numeric(0, 0), "1.230", "1.230"},
		{"unconstrained float64", retort.Numeric(0, 0), 0.1, "0.1"},
		{"unconstrained int64", retort.Numeric(0, 0), int64(-3), "-3"},
		// PostgreSQL's means and quotients have up to 20 fraction digits.
		{"20 fraction digits rounded to scale", n102, "0.10333333333333333333", "0.10"},
		{"20 fraction digits rounded up", n102, "-2.66666666666666666667", "-2.67"},
		{"a mean of unconstrained Decimals, as many digits as fit", mean, "123456.12345678901234567891", "123456.123456789012"},
		{"a mean, rounded half away", mean, "-0.00000000000000000050", "-0.000000000000000001"},
	}
	for _, c := range cases {
		got, err := c.typ.Decode(c.src)
		if err != nil {
			t.Errorf("%s: Decode(%v): %v", c.name, c.src, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: Decode(%v) = %s, want %s", c.name, c.src, got, c.want)
		}
	}
	for _, src := range []any{"abc", true, nil, 1e300, math.Inf(1), math.NaN(), "0.1234567890123456789x", "1.2.34567890123456789012"} {
		if d, err := n102.Decode(src); err == nil {
			t.Errorf("Decode(%v) = %v, want an error", src, d)
		}
	}
	// A stored unconstrained value with more digits than a Decimal holds
	// is an error, never a different number.
	for _, src := range []any{"0.1234567890123456789", "-5.00000000000000000001"} {
		if d, err := retort.Numeric(0, 0).Decode(src); !errors.Is(err, retort.ErrDecimalRange) {
			t.Errorf("unconstrained Decode(%v) = %v, %v; want ErrDecimalRange", src, d, err)
		}
	}
	if !n102.Equal(mustParse(t, "1.5"), mustParse(t, "1.50")) {
		t.Error("Numeric Equal(1.5, 1.50) is false")
	}
}

// A float read back from SQLite (which stores NUMERIC values with a fraction
// as REAL) rounds to the column's scale the way Rescale and PostgreSQL do:
// half away from zero. Otherwise the same INSERT reads back differently on
// the two databases.
func TestNumericDecodeFloatRoundsHalfAwayFromZero(t *testing.T) {
	cases := []struct {
		src   float64
		scale int
		want  string
	}{
		{0.125, 2, "0.13"},
		{-0.125, 2, "-0.13"},
		{2.5, 0, "3"},
		{0.375, 2, "0.38"},
	}
	for _, c := range cases {
		got, err := retort.Numeric(10, c.scale).Decode(c.src)
		if err != nil || got.String() != c.want {
			t.Errorf("numeric(10,%d) Decode(%v) = %s, %v; want %s", c.scale, c.src, got, err, c.want)
		}
	}
	// Tiny floats do not fail for having more digits than Decimal keeps.
	if _, err := retort.Numeric(0, 0).Decode(1e-20); err != nil {
		t.Errorf("unconstrained Decode(1e-20): %v", err)
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "1", "-1.50", "+.5", "5.", "007.10", "9223372036854775807", "-9223372036854775807",
		"9223372036854775808", "0.000000000000000001", "0.0000000000000000001", "1e5", "", "-", ".", "..", "1.2.3",
		"-9.995", " 1", "१२",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := retort.ParseDecimal(s)
		if err != nil {
			return
		}
		text := d.String()
		again, err := retort.ParseDecimal(text)
		if err != nil {
			t.Fatalf("ParseDecimal(%q) = %s, which does not parse: %v", s, text, err)
		}
		if again != d {
			t.Fatalf("ParseDecimal(%q) = %v; its String %q parses to %v", s, d, text, again)
		}
		if !d.Equal(again) || d.Cmp(again) != 0 {
			t.Fatalf("%v is not Equal to itself", d)
		}
		b, _ := d.MarshalText()
		var u retort.Decimal
		if err := u.UnmarshalText(b); err != nil || u != d {
			t.Fatalf("text round trip of %v: %v, %v", d, u, err)
		}
		// Nothing panics, and rescaling is consistent.
		for scale := range 19 {
			r, err := d.Rescale(scale)
			if err != nil {
				if !errors.Is(err, retort.ErrDecimalRange) {
					t.Fatalf("%v.Rescale(%d): %v", d, scale, err)
				}
				continue
			}
			if scale >= d.Scale() && !r.Equal(d) {
				t.Fatalf("%v.Rescale(%d) = %v, not equal", d, scale, r)
			}
		}
		zero := retort.Decimal{}
		if sum, err := d.Add(zero); err == nil && !sum.Equal(d) {
			t.Fatalf("%v + 0 = %v", d, sum)
		}
		if dif, err := d.Sub(d); err == nil && !dif.Equal(zero) {
			t.Fatalf("%v - itself = %v", d, dif)
		}
		d.Float64()
	})
}

// TestDecimalFromFloatMatchesShortestDecimal checks DecimalFromFloat (whose
// fast path multiplies) against its definition: the shortest decimal that
// reads back as f, rounded half away from zero, computed here exactly.
func TestDecimalFromFloatMatchesShortestDecimal(t *testing.T) {
	ref := func(f float64, scale int) int64 {
		r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
		if !ok {
			t.Fatalf("big.Rat of %v", f)
		}
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
		neg := r.Sign() < 0
		r.Abs(r)
		r.Add(r, big.NewRat(1, 2))
		q := new(big.Int).Quo(r.Num(), r.Denom())
		if neg {
			q.Neg(q)
		}
		return q.Int64()
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var fs []float64
	for k := -2000; k <= 2000; k++ {
		fs = append(fs, float64(k)/200, float64(k)/2000+0.0005, float64(k)*1.005, float64(k)/1000)
	}
	for range 20000 {
		fs = append(fs, (rng.Float64()-0.5)*math.Pow(10, float64(rng.IntN(12)-3)))
	}
	fs = append(fs, 1.005, 0.125, -0.125, 2.675, 1e9, 123456789.125, 0.1+0.2, math.Copysign(0, -1), 5e-324)
	for _, f := range fs {
		for _, scale := range []int{0, 1, 2, 3, 4, 6} {
			if math.Abs(f)*math.Pow(10, float64(scale)) > 1e17 {
				continue
			}
			got, err := retort.DecimalFromFloat(f, scale)
			if err != nil {
				t.Fatalf("DecimalFromFloat(%v, %d): %v", f, scale, err)
			}
			if want := ref(f, scale); got.Units() != want || got.Scale() != scale {
				t.Fatalf("DecimalFromFloat(%v, %d) = %s, want units %d", f, scale, got, want)
			}
		}
	}
}

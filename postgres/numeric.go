package postgres

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/retort-orm/retort"
)

// Decimal columns are read from PostgreSQL's binary numeric format straight
// into retort.Decimal (see retort.DecimalScanner). Through database/sql's
// Scanner, pgx would build a big integer, then a string, which Retort would
// parse again: most of the allocations of reading money columns.

const numericOID = 1700

// Sign words of the binary numeric format.
const (
	numericPos = 0x0000
	numericNeg = 0x4000
)

var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// decodeNumeric reads a binary numeric value as a Decimal of the value's own
// display scale. It reports false for what a Decimal cannot hold exactly
// (NaN, infinities, more than 18 fraction digits, more than int64's range)
// and for malformed input: the caller then lets pgx read the value as text,
// which gives the errors Decode gives.
//
// The format: ndigits, weight, sign, dscale (16 bits each), then ndigits
// base-10000 digits; the value is the sum of digit[i] × 10000^(weight−i).
func decodeNumeric(src []byte) (retort.Decimal, bool) {
	if len(src) < 8 {
		return retort.Decimal{}, false
	}
	ndigits := int(binary.BigEndian.Uint16(src))
	weight := int(int16(binary.BigEndian.Uint16(src[2:])))
	sign := binary.BigEndian.Uint16(src[4:])
	dscale := int(binary.BigEndian.Uint16(src[6:]))
	if (sign != numericPos && sign != numericNeg) || dscale > 18 || len(src) != 8+2*ndigits {
		return retort.Decimal{}, false
	}
	var u uint64
	for i := range ndigits {
		d := uint64(binary.BigEndian.Uint16(src[8+2*i:]))
		if d > 9999 {
			return retort.Decimal{}, false
		}
		if d == 0 {
			continue
		}
		// The digit's value in units of 10^-dscale is d × 10^p.
		p := 4*(weight-i) + dscale
		switch {
		case p >= len(pow10u):
			return retort.Decimal{}, false
		case p >= 0:
			hi, lo := bits.Mul64(d, pow10u[p])
			if hi != 0 {
				return retort.Decimal{}, false
			}
			d = lo
		case p > -4:
			q := pow10u[-p]
			if d%q != 0 { // digits beyond the display scale
				return retort.Decimal{}, false
			}
			d /= q
		default:
			return retort.Decimal{}, false
		}
		var carry uint64
		if u, carry = bits.Add64(u, d, 0); carry != 0 {
			return retort.Decimal{}, false
		}
	}
	if u > math.MaxInt64 {
		return retort.Decimal{}, false
	}
	units := int64(u)
	if sign == numericNeg {
		units = -units
	}
	return retort.NewDecimal(units, dscale), true
}

// scanDecimals stores the numeric columns of the current row whose
// destination is a retort.DecimalScanner, and returns the destinations left
// for pgx: dest itself, or a copy (in buf) with those entries nil.
func scanDecimals(r pgx.Rows, dest []any, buf *[]any) ([]any, error) {
	out := dest
	var fds []pgconn.FieldDescription
	var raw [][]byte
	for i, d := range dest {
		ds, ok := d.(retort.DecimalScanner)
		if !ok {
			continue
		}
		if raw == nil {
			fds, raw = r.FieldDescriptions(), r.RawValues()
		}
		if i >= len(fds) || i >= len(raw) || fds[i].DataTypeOID != numericOID || fds[i].Format != pgx.BinaryFormatCode || raw[i] == nil {
			continue
		}
		v, ok := decodeNumeric(raw[i])
		if !ok {
			continue
		}
		if err := ds.ScanDecimal(v); err != nil {
			return nil, &retort.ScanError{Index: i, Err: err}
		}
		if len(out) > 0 && &out[0] == &dest[0] {
			out = append((*buf)[:0], dest...)
			*buf = out
		}
		out[i] = nil
	}
	return out, nil
}

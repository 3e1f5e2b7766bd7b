// Package rowcmp holds what package retort (RowEqual) and package session
// (change detection) share about comparing mapped structs whole with ==.
package rowcmp

// Comparable reports whether == on values of T compiles to a comparison
// that cannot fail for want of equality on its fields' types (no slice, map
// or func field): comparing two zero values of such a type as interfaces
// panics. An interface field holding an incomparable value can still make
// == panic on other values.
func Comparable[T any]() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	var zero T
	_ = any(zero) == any(zero)
	return true
}

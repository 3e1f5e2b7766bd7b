package rel

import (
	"errors"
	"fmt"
)

// ErrNotLoaded is matched (errors.Is) by a [NotLoadedError]: a relationship
// was read without being loaded, and it could not (or may not) be loaded
// then.
var ErrNotLoaded = errors.New("rel: relationship not loaded")

// NotLoadedError reports a relationship read before it was loaded.
type NotLoadedError struct {
	Relationship string // the relationship's name (see [Name]); empty when unknown
	Owner        string // the owning object's key, such as grunt(3); empty when unknown
	Reason       string
}

// Error names the relationship and the owner.
func (e *NotLoadedError) Error() string {
	s := "rel: "
	if e.Relationship != "" {
		s += e.Relationship + " "
	} else {
		s += "relationship "
	}
	if e.Owner != "" {
		s += "of " + e.Owner + " "
	}
	return s + "is not loaded: " + e.Reason
}

// Is makes errors.Is(err, ErrNotLoaded) true.
func (e *NotLoadedError) Is(target error) bool { return target == ErrNotLoaded }

const (
	reasonRaise     = "the relationship raises on lazy loads (rel.RaiseLoad or rel.Raise): load it eagerly with rel.SelectIn or rel.Joined"
	reasonNoSession = "the object is in no session that could load it"
	reasonLoad      = "call Load(ctx), or load it eagerly with rel.SelectIn or rel.Joined"
)

// notLoaded builds the error for owner.
func (b *base) notLoaded(owner any, reason string) error {
	e := &NotLoadedError{Relationship: b.name, Reason: reason}
	if owner != nil && b.ownerKey != nil {
		e.Owner = b.ownerKey(owner)
	}
	return e
}

func (b *base) errorf(format string, args ...any) error {
	return fmt.Errorf("rel: %s: "+format, append([]any{b.name}, args...)...)
}
